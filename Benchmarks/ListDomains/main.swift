import Libvirt
print("bench")
