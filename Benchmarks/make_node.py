"""Writes a libvirt test-driver node file with N shut-off and running domains."""
import sys
import uuid
from xml.sax.saxutils import escape

count = int(sys.argv[1])
out = ["<node>"]
for i in range(count):
    name = f"bench-{i:04d}"
    # Deterministic UUIDs so every run lists the same node.
    ident = uuid.uuid5(uuid.NAMESPACE_DNS, f"{name}.vmctl.bench")
    runstate = "" if i % 2 == 0 else (
        "<test:runstate xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>5</test:runstate>")
    out.append(
        f"<domain type='test'><name>{escape(name)}</name><uuid>{ident}</uuid>"
        f"<memory unit='MiB'>128</memory><vcpu>1</vcpu>"
        f"<os><type arch='x86_64'>hvm</type></os>{runstate}</domain>")
out.append("</node>")
sys.stdout.write("\n".join(out) + "\n")
