"""Lists every domain (name, UUID, state) through libvirt-python, one line each."""
import sys

import libvirt

conn = libvirt.openReadOnly(sys.argv[1])
lines = []
for dom in conn.listAllDomains(0):
    state, _reason = dom.state()
    lines.append(f"{dom.name()} {dom.UUIDString()} {state}")
sys.stdout.write("\n".join(lines) + "\n")
