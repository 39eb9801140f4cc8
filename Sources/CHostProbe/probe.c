#include "CHostProbe.h"
int chostprobe_placeholder(void) { return 0; }
