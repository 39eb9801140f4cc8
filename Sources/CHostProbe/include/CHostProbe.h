#pragma once
/* Placeholder until the host probes land. */
int chostprobe_placeholder(void);
