import Foundation
import Libvirt
import Testing
import VMCtlKit

/// Bad input of every kind, one line per case as virt-manager's CLI tests
/// write them: `EXIT | FIELD | COMMAND`. Each case runs the real `vmctl`
/// against the real libvirtd and must exit with EXIT, print one line on
/// stderr in vmctl's form that names FIELD, print no secret, and leave every
/// object, volume and file under the corpus prefix as it was.
///
/// In COMMAND, words are split on spaces; `''` is an empty word and the
/// `{…}` names are the fixtures `Corpus` makes (`{P}` is the prefix).
let commandCases = """
    64 | --memory | vm create {P}a --disk-size 16M --pool {POOL} --memory 0
    64 | --memory | vm create {P}a --disk-size 16M --pool {POOL} --memory 99999T
    64 | --memory | vm create {P}a --disk-size 16M --pool {POOL} --memory lots
    64 | --memory | vm create {P}a --disk-size 16M --pool {POOL} --memory -1G
    64 | --memory | vm create {P}a --disk-size 16M --pool {POOL} --memory ''
    64 | --memory | vm create {P}a --disk-size 16M --pool {POOL} --memory 1.5.5G
    64 | --memory | vm create {P}a --disk-size 16M --pool {POOL} --memory 15M
    64 | --vcpus | vm create {P}a --disk-size 16M --pool {POOL} --vcpus 0
    64 | --vcpus | vm create {P}a --disk-size 16M --pool {POOL} --vcpus 100000
    64 | --vcpus | vm create {P}a --disk-size 16M --pool {POOL} --vcpus two
    64 | --vcpus | vm create {P}a --disk-size 16M --pool {POOL} --vcpus -3
    64 | --disk-size | vm create {P}a --disk-size 0 --pool {POOL}
    64 | --disk-size | vm create {P}a --disk-size 10K --pool {POOL}
    64 | --disk-size | vm create {P}a --disk-size huge --pool {POOL}
    64 | --disk-size | vm create {P}a --disk-size -5G --pool {POOL}
    64 | name | vm create bad<name> --disk-size 16M --pool {POOL}
    64 | name | vm create '' --disk-size 16M --pool {POOL}
    64 | name | vm create -lead --disk-size 16M --pool {POOL}
    64 | name | vm create {P}aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa --disk-size 16M --pool {POOL}
    64 | name | vm create a/b --disk-size 16M --pool {POOL}
    64 | name | vm create {VM} --disk-size 16M --pool {POOL}
    64 | --pool | vm create {P}a --disk-size 16M --pool {P}nosuchpool
    64 | --pool | vm create {P}a --disk-size 16M --pool bad/pool
    64 | --image | vm create {P}a --image {POOL}/nosuch.qcow2 --pool {POOL}
    64 | --image | vm create {P}a --image a/b/c --pool {POOL}
    64 | --image | vm create {P}a --image {FIFO} --pool {POOL}
    64 | --image | vm create {P}a --image {DIR} --pool {POOL}
    64 | --image | vm create {P}a --image /dev/null --pool {POOL}
    64 | --image | vm create {P}a --image {RUN}/{P}missing.qcow2 --pool {POOL}
    64 | --image | vm create {P}a --image relative/path.qcow2 --pool {POOL}
    64 | --full | vm create {P}a --full --disk-size 16M --pool {POOL}
    64 | disk | vm create {P}a --pool {POOL}
    64 | --kernel | vm create {P}a --kernel {FIFO} --pool {POOL}
    64 | --kernel | vm create {P}a --kernel {RUN}/{P}nokernel --pool {POOL}
    64 | --kernel | vm create {P}a --kernel {DIR} --pool {POOL}
    64 | --kernel | vm create {P}a --kernel /dev/zero --pool {POOL}
    64 | --initrd | vm create {P}a --kernel {KERNEL} --initrd {FIFO} --pool {POOL}
    64 | --initrd | vm create {P}a --kernel {KERNEL} --initrd {RUN}/{P}noinitrd --pool {POOL}
    64 | --initrd/--cmdline | vm create {P}a --disk-size 16M --initrd {INITRD} --pool {POOL}
    64 | --initrd/--cmdline | vm create {P}a --disk-size 16M --cmdline console=ttyS0 --pool {POOL}
    64 | --cdrom | vm create {P}a --cdrom {FIFO} --pool {POOL}
    64 | --cdrom | vm create {P}a --cdrom {RUN}/{P}no.iso --pool {POOL}
    64 | --cpu | vm create {P}a --disk-size 16M --pool {POOL} --cpu 'bad model'
    64 | --cpu | vm create {P}a --disk-size 16M --pool {POOL} --cpu ''
    64 | --cpu | vm create {P}a --disk-size 16M --pool {POOL} --cpu a;b
    64 | --network | vm create {P}a --disk-size 16M --pool {POOL} --network {P}nosuchnet
    64 | --network | vm create {P}a --disk-size 16M --pool {POOL} --network bridge={P}nobr
    64 | --network | vm create {P}a --disk-size 16M --pool {POOL} --network direct={P}nodev
    64 | --network | vm create {P}a --disk-size 16M --pool {POOL} --network ''
    64 | --network | vm create {P}a --disk-size 16M --pool {POOL} --network {NET},color=red
    64 | --network | vm create {P}a --disk-size 16M --pool {POOL} --network {NET},mac=52:54:00:00:00:01 --network {NET},mac=52:54:00:00:00:01
    64 | --network mac | vm create {P}a --disk-size 16M --pool {POOL} --network {NET},mac=zz
    64 | --network mac | vm create {P}a --disk-size 16M --pool {POOL} --network {NET},mac=01:00:5e:00:00:01
    64 | --network mac | vm create {P}a --disk-size 16M --pool {POOL} --network {NET},mac=52:54:00:00:00
    64 | --network device | vm create {P}a --disk-size 16M --pool {POOL} --network {NET},device=0eth
    64 | --network device | vm create {P}a --disk-size 16M --pool {POOL} --network {NET},device=eth0;rm
    64 | --network device | vm create {P}a --disk-size 16M --pool {POOL} --network {NET},device=averyveryverylongname
    64 | --network device | vm create {P}a --disk-size 16M --pool {POOL} --network {NET},device=eth0 --network {NET},device=eth0
    64 | --network model | vm create {P}a --disk-size 16M --pool {POOL} --network {NET},model=b<a>d
    64 | --network | vm create {P}a --disk-size 16M --pool {POOL} --network {NET},ip=banana
    64 | --network | vm create {P}a --disk-size 16M --pool {POOL} --network {NET},ip=300.1.1.1/24
    64 | --disk | vm create {P}a --disk-size 16M --pool {POOL} --disk 0
    64 | --disk | vm create {P}a --disk-size 16M --pool {POOL} --disk big
    64 | --disk | vm create {P}a --disk-size 16M --pool {POOL} --disk 1G,size=2
    64 | --disk | vm create {P}a --disk-size 16M --pool {POOL} --disk 1G,vg=cinder-volumes
    64 | --disk | vm create {P}a --disk-size 16M --pool {POOL} --hostname h --disk 1G,vg=bad/vg
    64 | --disk | vm create {P}a --disk-size 16M --pool {POOL} --hostname h --disk 1G,vg=x --disk 1G,vg=x
    64 | --graphics | vm create {P}a --disk-size 16M --pool {POOL} --graphics rdp
    64 | --type | vm create {P}a --disk-size 16M --pool {POOL} --type xen
    64 | --wait | vm create {P}a --disk-size 16M --pool {POOL} --wait soon
    64 | --wait-ip | vm create {P}a --disk-size 16M --pool {POOL} --wait-ip 1000000000
    64 | --wait-ip | vm create {P}a --disk-size 16M --pool {POOL} --wait-ip -1
    64 | --wait-timeout | vm create {P}a --disk-size 16M --pool {POOL} --wait-timeout 0
    64 | --serial-file | vm create {P}a --disk-size 16M --pool {POOL} --serial-file relative.log
    64 | --lab | vm create {P}a --disk-size 16M --pool {POOL} --lab bad/lab
    64 | --role | vm create {P}a --disk-size 16M --pool {POOL} --role 'bad role'
    64 | --hostname | vm create {P}a --disk-size 16M --pool {POOL} --hostname -bad-
    64 | --hostname | vm create {P}a --disk-size 16M --pool {POOL} --hostname under_score
    64 | --hostname | vm create {P}a --disk-size 16M --pool {POOL} --hostname ''
    64 | name | vm create {P}under_score --disk-size 16M --pool {POOL} --ssh-key @{PUB}
    64 | --ssh-key | vm create {P}a --disk-size 16M --pool {POOL} --ssh-key {PRIVTEXT}
    64 | --ssh-key | vm create {P}a --disk-size 16M --pool {POOL} --ssh-key @{KEY}
    64 | --ssh-key | vm create {P}a --disk-size 16M --pool {POOL} --ssh-key @{FIFO}
    64 | --ssh-key | vm create {P}a --disk-size 16M --pool {POOL} --ssh-key @{RUN}/{P}nokey.pub
    64 | --ssh-key | vm create {P}a --disk-size 16M --pool {POOL} --ssh-key not-a-key
    64 | --ssh-key | vm create {P}a --disk-size 16M --pool {POOL} --ssh-key {MISMATCHED}
    64 | --cloud-init | vm create {P}a --disk-size 16M --pool {POOL} --cloud-init {USERDATA}
    64 | --cloud-init | vm create {P}a --disk-size 16M --pool {POOL} --cloud-init {FIFO}
    64 | --cloud-init | vm create {P}a --disk-size 16M --pool {POOL} --cloud-init {DIR}
    64 | --cloud-init | vm create {P}a --disk-size 16M --pool {POOL} --cloud-init {RUN}/{P}nouserdata
    64 | --password | vm create {P}a --disk-size 16M --pool {POOL} --password ''
    64 | --login-user | vm create {P}a --disk-size 16M --pool {POOL} --hostname h --login-user 'Bad User'
    64 | --ssh-private-key | vm create {P}a --disk-size 16M --pool {POOL} --ssh-private-key {FIFO}
    64 | --ssh-private-key | vm create {P}a --disk-size 16M --pool {POOL} --ssh-private-key {RUN}/{P}nokey
    64 | -o | vm create {P}a --disk-size 16M --pool {POOL} -o yaml
    64 | --connect | vm create {P}a --disk-size 16M --pool {POOL} -c ''
    64 | --nosuch | vm create {P}a --disk-size 16M --pool {POOL} --nosuch
    64 | --memory | vm create {P}a --disk-size 16M --pool {POOL} --memory
    64 | name | vm create --disk-size 16M --pool {POOL}
    64 | vm | vm clone {P}nosuchvm {P}b
    64 | name | vm clone {VM} bad<name>
    64 | name | vm clone {VM} {VM}
    64 | name | vm clone {VM} ''
    64 | --count | vm clone {VM} {P}b --count 0
    64 | --count | vm clone {VM} {P}b --count 100000
    64 | --count | vm clone {VM} {P}b --count many
    64 | name | vm clone {VM} {P}bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb --count 10
    64 | --suspend-source | vm clone {VM} {P}b --suspend-source
    64 | --wait | vm clone {VM} {P}b --wait later
    64 | vm | vm start {P}nosuchvm
    64 | vm | vm stop {P}nosuchvm
    64 | --timeout | vm stop {VM} --timeout 0
    64 | --timeout | vm stop {VM} --timeout 1000000000
    64 | --timeout | vm stop {VM} --timeout soon
    64 | vm | vm restart {P}nosuchvm
    64 | vm | vm destroy {P}nosuchvm
    64 | vm | vm delete {P}nosuchvm
    64 | vm | vm undefine {P}nosuchvm
    64 | vm | vm show {P}nosuchvm
    64 | vm | vm xml {P}nosuchvm
    64 | vm | vm ip {P}nosuchvm
    64 | --wait | vm ip {VM} --wait 1000000000
    64 | --wait | vm ip {VM} --wait -5
    64 | --wait | vm ip {VM} --wait soon
    64 | vm | vm console {P}nosuchvm
    64 | vm | vm ssh {P}nosuchvm
    64 | --identity | vm ssh {VM} -i {FIFO}
    64 | --identity | vm ssh {VM} -i {RUN}/{P}noidentity
    64 | --user | vm ssh {VM} -u 'bad user'
    64 | --wait | vm ssh {VM} --wait 1000000000
    64 | vm | vm scp {P}nosuchvm:/etc/hostname {RUN}/{P}out
    64 | destination | vm scp {RUN}/{P}a {RUN}/{P}b
    64 | source | vm scp {VM}:/a {VM}:/b
    64 | --identity | vm scp -i {DIR} {TEXT} {VM}:/tmp/
    64 | file | vm define {FIFO}
    64 | file | vm define {DIR}
    64 | file | vm define {RUN}/{P}nosuch.xml
    64 | name | vm define {XML}
    64 | file | vm define {TEXT}
    64 | vm | snapshot create {P}nosuchvm s1
    64 | name | snapshot create {VM} 'bad name'
    64 | name | snapshot create {VM} ''
    64 | snapshot name | snapshot revert {VM} {P}nosnap
    64 | snapshot name | snapshot delete {VM} {P}nosnap
    64 | vm | snapshot list {P}nosuchvm
    64 | --mode | net create {P}n --mode tunnel --subnet {FREE}
    64 | --subnet | net create {P}n --mode isolated --subnet banana
    64 | --subnet | net create {P}n --mode isolated --subnet 10.0.0.1/24
    64 | --subnet | net create {P}n --mode isolated --subnet 10.0.0.0/33
    64 | --subnet | net create {P}n --mode isolated --subnet 10.0.0.0/31
    64 | --subnet | net create {P}n --mode isolated --subnet 224.0.0.0/24
    64 | --subnet | net create {P}n --mode isolated --subnet 127.0.0.0/24
    64 | --subnet | net create {P}n --mode isolated --subnet 0.0.0.0/24
    64 | --subnet | net create {P}n --mode isolated --subnet 255.255.255.0/24
    64 | --subnet | net create {P}n --mode isolated --subnet {SUBNET}
    64 | --subnet | net create {P}n --mode nat
    64 | --subnet | net create {P}n --mode isolated --subnet ''
    64 | --dhcp-range | net create {P}n --mode isolated --subnet {FREE} --dhcp-range nope
    64 | --dhcp-range | net create {P}n --mode isolated --subnet {FREE} --dhcp-range 1.2.3.4-1.2.3.9
    64 | --dhcp-range | net create {P}n --mode isolated --subnet {FREE} --dhcp-range {FREEHOST}.200-{FREEHOST}.100
    64 | --dhcp-range | net create {P}n --mode isolated --subnet {FREE} --no-dhcp --dhcp-range {FREEHOST}.10-{FREEHOST}.20
    64 | --bridge | net create {P}n --mode bridge
    64 | --bridge | net create {P}n --mode bridge --bridge {P}nobr
    64 | --bridge | net create {P}n --mode bridge --bridge 'br 0'
    64 | --bridge | net create {P}n --mode isolated --subnet {FREE} --bridge lo
    64 | --bridge | net create {P}n --mode isolated --subnet {FREE} --bridge averyveryverylongbridge
    64 | --subnet | net create {P}n --mode bridge --bridge lo --subnet {FREE}
    64 | --domain | net create {P}n --mode isolated --subnet {FREE} --domain 'bad domain'
    64 | name | net create bad/net --mode isolated --subnet {FREE}
    64 | name | net create {NET} --mode isolated --subnet {FREE}
    64 | name | net create '' --mode isolated --subnet {FREE}
    64 | network | net start {P}nosuchnet
    64 | network | net stop {P}nosuchnet
    64 | network | net delete {P}nosuchnet
    64 | network | net show {P}nosuchnet
    64 | network | net leases {P}nosuchnet
    64 | --mac | net reserve {NET} --mac zz --ip {SUBNETHOST}.20
    64 | --mac | net reserve {NET} --ip {SUBNETHOST}.20
    64 | --ip | net reserve {NET} --mac 52:54:00:aa:bb:cc --ip banana
    64 | --ip | net reserve {NET} --mac 52:54:00:aa:bb:cc --ip 1.2.3.4
    64 | --ip | net reserve {NET} --mac 52:54:00:aa:bb:cc --ip {SUBNETHOST}.1
    64 | --ip | net reserve {NET} --mac 52:54:00:aa:bb:cc --ip {SUBNETHOST}.0
    64 | --ip | net reserve {NET} --mac 52:54:00:aa:bb:cc --ip {SUBNETHOST}.255
    64 | --host | net reserve {NET} --mac 52:54:00:aa:bb:cc --ip {SUBNETHOST}.20 --host 'bad host'
    64 | network | net reserve {P}nosuchnet --mac 52:54:00:aa:bb:cc --ip {SUBNETHOST}.20
    64 | --mac | net unreserve {NET} --mac 52:54:00:aa:bb:dd
    64 | --mac | net unreserve {NET} --mac nope
    64 | --type | pool create {P}p --type iscsi --target {RUN}/{P}p
    64 | --target | pool create {P}p --type dir
    64 | --target | pool create {P}p --type dir --target /proc
    64 | --target | pool create {P}p --type dir --target /proc/{P}x
    64 | --target | pool create {P}p --type dir --target /
    64 | --target | pool create {P}p --type dir --target /etc
    64 | --target | pool create {P}p --type dir --target {TEXT}
    64 | --target | pool create {P}p --type dir --target {FIFO}
    64 | --target | pool create {P}p --type dir --target relative/dir
    64 | --target | pool create {P}p --type dir --target {POOLDIR}
    64 | --source-dev | pool create {P}p --type dir --target {RUN}/{P}p --source-dev /dev/sda
    64 | --source-dev | pool create {P}p --type fs --target {RUN}/{P}p
    64 | --source-host | pool create {P}p --type netfs --target {RUN}/{P}p --source-path /export
    64 | --source-path | pool create {P}p --type netfs --target {RUN}/{P}p --source-host nfs.example
    64 | --source-name | pool create {P}p --type logical
    64 | name | pool create bad/pool --type dir --target {RUN}/{P}p
    64 | name | pool create {POOL} --type dir --target {RUN}/{P}p
    64 | pool | pool start {P}nosuchpool
    64 | pool | pool stop {P}nosuchpool
    64 | pool | pool delete {P}nosuchpool
    64 | pool | pool show {P}nosuchpool
    64 | pool | vol list {P}nosuchpool
    64 | --size | vol create {POOL} {P}v.qcow2 --size 0
    64 | --size | vol create {POOL} {P}v.qcow2 --size lots
    64 | --size | vol create {POOL} {P}v.qcow2 --size -1G
    64 | --size | vol create {POOL} {P}v.qcow2
    64 | --format | vol create {POOL} {P}v.qcow2 --size 1G --format vmdk
    64 | --backing | vol create {POOL} {P}v.qcow2 --backing {P}nosuch.qcow2
    64 | --backing | vol create {POOL} {P}v.qcow2 --backing {FIFO}
    64 | name | vol create {POOL} bad/vol --size 1G
    64 | name | vol create {POOL} base.qcow2 --size 1G
    64 | pool | vol create {P}nosuchpool {P}v.qcow2 --size 1G
    64 | file | vol import {POOL} {FIFO}
    64 | file | vol import {POOL} {DIR}
    64 | file | vol import {POOL} {RUN}/{P}nosuch.img
    64 | file | vol import {POOL} /dev/zero
    64 | --format | vol import {POOL} {BASEFILE} --name {P}x.qcow2 --format vmdk
    64 | --format | vol import {POOL} {BASEFILE} --name {P}x.qcow2 --format raw
    64 | name | vol import {POOL} {BASEFILE} --name base.qcow2
    64 | name | vol import {POOL} {BASEFILE} --name bad/name
    64 | volume | vol delete {POOL} {P}nosuch.qcow2
    64 | volume | vol delete {POOL} {VM}.qcow2
    64 | volume | vol delete {POOL} base.qcow2
    64 | volume | vol resize {POOL} {P}nosuch.qcow2 1G
    64 | size | vol resize {POOL} {VM}.qcow2 lots
    64 | size | vol resize {POOL} {VM}.qcow2 1M
    64 | volume | vol clone {POOL} {P}nosuch.qcow2 {P}c.qcow2
    64 | name | vol clone {POOL} base.qcow2 base.qcow2
    64 | name | vol clone {POOL} base.qcow2 bad/name
    64 | source | image fetch nosuch-image --pool {POOL}
    64 | source | image fetch ftp://127.0.0.1/x.qcow2 --pool {POOL}
    64 | source | image fetch http:// --pool {POOL}
    64 | --pool | image fetch http://127.0.0.1:9/x.qcow2
    64 | pool | image fetch http://127.0.0.1:9/x.qcow2 --pool {P}nosuchpool
    64 | --checksum | image fetch http://127.0.0.1:9/x.qcow2 --pool {POOL} --checksum md5:abc
    64 | --checksum | image fetch http://127.0.0.1:9/x.qcow2 --pool {POOL} --checksum sha256:xyz
    64 | --checksum | image fetch http://127.0.0.1:9/x.qcow2 --pool {POOL} --checksum sha256:abcd
    64 | --timeout | image fetch http://127.0.0.1:9/x.qcow2 --pool {POOL} --timeout 0
    64 | --timeout | image fetch http://127.0.0.1:9/x.qcow2 --pool {POOL} --timeout 99999
    64 | --name | image fetch http://127.0.0.1:9/x.qcow2 --pool {POOL} --name bad/name
    64 | name | image fetch http://127.0.0.1:9/x.qcow2 --pool {POOL} --name base.qcow2
    64 | pool | image list --pool {P}nosuchpool
    64 | --root | host check --root {RUN}/{P}noroot
    64 | --root | host check --root {TEXT}
    64 | plan | lab up {FIFO}
    64 | plan | lab up {DIR}
    64 | plan | lab up {RUN}/{P}noplan.yaml
    64 | plan | lab validate {TEXT}
    64 | plan | lab status {RUN}/{P}noplan.yaml
    64 | plan | lab down {FIFO}
    64 | --format | lab inventory {PLAN} --format csv
    64 | --multinode | lab inventory {PLAN} --format kolla --multinode {FIFO}
    64 | --multinode | lab inventory {PLAN} --format kolla --multinode {RUN}/{P}nomultinode
    64 | --management-network | lab kolla-globals {PLAN} --management-network {P}nonet
    64 | --external-network | lab kolla-globals {PLAN} --external-network {P}nonet
    64 | node | lab ssh {PLAN} {P}nonode
    64 | vm | lab ssh {PLAN} n1 -i {FIFO}
    64 | vmctl | nosuchcommand
    64 | vmctl | vm nosuchverb
    64 | vmctl | help nosuch
    64 | --connect | -c '' vm list
    64 | -o | -o xml vm list
    69 | connect | -c qemu+unix:///system?socket={RUN}/{P}nosock vm list
    69 | connect | -c bogus vm list
    """

/// Every field of a lab plan given a value of the wrong kind: `FIELD | YAML`.
/// The base plan below is valid; each case replaces one value.
let planFieldCases: [(field: String, path: String)] = [
    ("lab", "lab"), ("hosts", "hosts"), ("workers", "workers"), ("ready_timeout", "ready_timeout"),
    ("address_timeout", "address_timeout"), ("wait", "wait"), ("login", "login"), ("login.user", "login.user"),
    ("login.private_key", "login.private_key"), ("serial_dir", "serial_dir"), ("pools", "pools"),
    ("pools[0]", "pools[0]"), ("pools[0].name", "pools[0].name"), ("pools[0].type", "pools[0].type"),
    ("pools[0].target", "pools[0].target"), ("images", "images"), ("images[0]", "images[0]"),
    ("images[0].name", "images[0].name"), ("images[0].pool", "images[0].pool"), ("images[0].path", "images[0].path"),
    ("networks", "networks"), ("networks[0]", "networks[0]"), ("networks[0].name", "networks[0].name"),
    ("networks[0].mode", "networks[0].mode"), ("networks[0].subnet", "networks[0].subnet"),
    ("networks[0].dhcp", "networks[0].dhcp"), ("networks[0].dhcp_range", "networks[0].dhcp_range"),
    ("defaults", "defaults"), ("defaults.memory", "defaults.memory"), ("defaults.vcpus", "defaults.vcpus"),
    ("defaults.pool", "defaults.pool"), ("nodes", "nodes"), ("nodes[0]", "nodes[0]"), ("nodes[0].name", "nodes[0].name"),
    ("nodes[0].count", "nodes[0].count"), ("nodes[0].roles", "nodes[0].roles"), ("nodes[0].host", "nodes[0].host"),
    ("nodes[0].memory", "nodes[0].memory"), ("nodes[0].vcpus", "nodes[0].vcpus"), ("nodes[0].disk_size", "nodes[0].disk_size"),
    ("nodes[0].disks", "nodes[0].disks"), ("nodes[0].disks[0]", "nodes[0].disks[0]"), ("nodes[0].disks[0].vg", "nodes[0].disks[0].vg"),
    ("nodes[0].image", "nodes[0].image"), ("nodes[0].pool", "nodes[0].pool"), ("nodes[0].kernel", "nodes[0].kernel"),
    ("nodes[0].initrd", "nodes[0].initrd"), ("nodes[0].cmdline", "nodes[0].cmdline"), ("nodes[0].networks", "nodes[0].networks"),
    ("nodes[0].networks[0]", "nodes[0].networks[0]"), ("nodes[0].networks[0].name", "nodes[0].networks[0].name"),
    ("nodes[0].networks[0].ip", "nodes[0].networks[0].ip"), ("nodes[0].networks[0].device", "nodes[0].networks[0].device"),
    ("nodes[0].cloud_init", "nodes[0].cloud_init"), ("nodes[0].cloud_init.ssh_keys", "nodes[0].cloud_init.ssh_keys"),
    ("nodes[0].cloud_init.ntp_servers", "nodes[0].cloud_init.ntp_servers"), ("nodes[0].cloud_init.timezone", "nodes[0].cloud_init.timezone"),
    ("nodes[0].cloud_init.selinux", "nodes[0].cloud_init.selinux"), ("nodes[0].cloud_init.packages", "nodes[0].cloud_init.packages"),
    ("nodes[0].cloud_init.commands", "nodes[0].cloud_init.commands"), ("nodes[0].cloud_init.user_data", "nodes[0].cloud_init.user_data"),
]

/// Plans that parse but that the host refuses, each with the field its one line names: `FIELD | YAML with {…}`.
let planHostCases = """
    pools[0].target | pools: [{name: {P}p, target: /proc/x}]
    pools[0].target | pools: [{name: {P}p, target: {TEXT}}]
    images[0].path | images: [{name: base.qcow2, pool: {POOL}, path: {FIFO}}]
    images[0].path | images: [{name: other.qcow2, pool: {POOL}}]
    images[0].path | images: [{name: other.qcow2, pool: {POOL}, path: {DIR}}]
    networks[0].subnet | networks: [{name: mgmt, mode: isolated, subnet: {SUBNET}}]
    networks[0].bridge | networks: [{name: mgmt, mode: bridge, bridge: vmctlnobr0}]
    nodes[0].kernel | kernel: {RUN}/{P}nokernel
    nodes[0].kernel | kernel: {FIFO}
    nodes[0].memory | memory: 99999T
    nodes[0].pool | pool: {P}nosuchpool
    nodes[0].image | image: {POOL}/nosuch.qcow2
    nodes[0].cloud_init.ssh_keys | ssh_keys: ["{MISMATCHED}"]
    nodes[0].cloud_init.ssh_keys | ssh_keys: [not-a-key]
    nodes[0].cloud_init.user_data | user_data: "#cloud-config\\nruncmd: [unclosed"
    nodes[0].name | name: under_score
    nodes[0].networks[0].device | device: "eth0; rm -rf /"
    nodes[0].networks[0].ip | ip: banana
    nodes[0].count | count: 100
    nodes[0].name | name: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa + count: 10
    networks | networks: [{name: mgmt, mode: isolated, subnet: {FREE}}, {name: mgmt, mode: isolated, subnet: {FREE2}}]
    pools | pools: [{name: {P}p, target: {RUN}/{P}p1}, {name: {P}p, target: {RUN}/{P}p2}]
    images | images: [{name: base.qcow2, pool: {POOL}}, {name: base.qcow2, pool: {POOL}}]
    networks[0].subnet | networks: [{name: mgmt, mode: isolated, subnet: "fd00::/64"}]
    networks[0].subnet | networks: [{name: mgmt, mode: isolated, subnet: 224.1.0.0/24}]
    nodes[0].networks[0].ip | networks: [{name: mgmt, mode: isolated, subnet: {FREE}, dhcp: false}] + ip: {FREEHOST}.0
    """

/// Issue 19's classes and their relatives, `EXIT | FIELD | COMMAND` as above:
/// duplicate keys in one spec; MACs that are all-zero, multicast or already
/// on the network (`{VMMAC}` is the corpus VM's NIC, `{RESMAC}` a reservation
/// for another host); a disk smaller than its image; serial files in a
/// missing directory or naming one; unknown CPU models; names `--count`
/// pushes past their limits; sizes beyond the pool.
let classCommandCases = """
    64 | --network | vm create {P}a --disk-size 16M --pool {POOL} --network {NET},mac=52:54:00:00:10:01,mac=52:54:00:00:10:02
    64 | --network | vm create {P}a --disk-size 16M --pool {POOL} --network {NET},device=eth0,device=eth1
    64 | --network | vm create {P}a --disk-size 16M --pool {POOL} --network {NET},model=virtio,model=e1000
    64 | --network | vm create {P}a --disk-size 16M --pool {POOL} --network {NET},mac=52:54:00:00:10:01,device=eth0,mac=52:54:00:00:10:01
    64 | --disk | vm create {P}a --disk-size 16M --pool {POOL} --hostname h --disk 1G,vg=a,vg=b
    64 | --network mac | vm create {P}a --disk-size 16M --pool {POOL} --network {NET},mac=00:00:00:00:00:00
    64 | --network mac | vm create {P}a --disk-size 16M --pool {POOL} --network {NET},mac=ff:ff:ff:ff:ff:ff
    64 | --network mac | vm create {P}a --disk-size 16M --pool {POOL} --network {NET},mac=33:33:00:00:00:01
    64 | --network mac | vm create {P}a --disk-size 16M --pool {POOL} --network {NET},mac={VMMAC}
    64 | --network mac | vm create {P}a --disk-size 16M --pool {POOL} --start --network {NET},mac={VMMAC}
    64 | --network mac | vm create {P}a --disk-size 16M --pool {POOL} --network {NET},mac={RESMAC}
    64 | --mac | net reserve {NET} --mac 00:00:00:00:00:00 --ip {SUBNETHOST}.22
    64 | --mac | net reserve {NET} --mac ff:ff:ff:ff:ff:ff --ip {SUBNETHOST}.22
    64 | --disk-size | vm create {P}a --image {POOL}/base.qcow2 --disk-size 16M --pool {POOL}
    64 | --disk-size | vm create {P}a --image {BASEFILE} --disk-size 1M --pool {POOL}
    64 | --disk-size | vm create {P}a --image {POOL}/base.qcow2 --full --disk-size 32M --pool {POOL}
    64 | --size | vol create {POOL} {P}v.qcow2 --backing base.qcow2 --size 16M
    64 | --serial-file | vm create {P}a --disk-size 16M --pool {POOL} --serial-file {RUN}/{P}nodir/serial.log
    64 | --serial-file | vm create {P}a --disk-size 16M --pool {POOL} --serial-file {DIR}
    64 | --serial-file | vm create {P}a --disk-size 16M --pool {POOL} --serial-file {DIR}/
    64 | --serial-file | vm create {P}a --disk-size 16M --pool {POOL} --serial-file {TEXT}/serial.log
    64 | --serial-file | vm create {P}a --disk-size 16M --pool {POOL} --start --serial-file {RUN}/{P}nodir/serial.log
    64 | --cpu | vm create {P}a --disk-size 16M --pool {POOL} --cpu NoSuchModel
    64 | --cpu | vm create {P}a --disk-size 16M --pool {POOL} --cpu Skylake-Client-NoSuch
    64 | --cpu | vm create {P}a --disk-size 16M --pool {POOL} --cpu NoSuchModel --start
    64 | --cpu | vm create {P}a --disk-size 16M --pool {POOL} --cpu NoSuchModel --dry-run
    64 | name | vm clone {VM} {P}cccccccccccccccccccccccccccccccccccccccccccc --count 10
    64 | name | vm clone {VM} {P}cccccccccccccccccccccccccccccccccccccccccccccc --count 2
    64 | name | vm create {P}aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa --disk-size 16M --pool {POOL} --hostname h
    64 | name | vm create {P}aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa --disk-size 16M --pool {POOL} --disk 1G
    64 | --disk-size | vm create {P}a --disk-size 9999T --pool {POOL}
    64 | --disk | vm create {P}a --disk-size 16M --disk 1G --disk 9000T --pool {POOL}
    64 | --disk-size | vm create {P}a --image {POOL}/base.qcow2 --disk-size 9999T --pool {POOL}
    64 | --size | vol create {POOL} {P}v.qcow2 --size 9999T
    64 | --size | vol create {POOL} {P}v.raw --size 9999T --format raw
    64 | size | vol resize {POOL} {VM}.qcow2 9999T
    """

/// Plan values of the wrong type or beyond what the host has: `(field the
/// line names, path in the base plan, value)`, applied by `replacing`.
let classPlanCases: [(field: String, path: String, value: String)] = [
    ("lab", "lab", "123"), ("lab", "lab", "yes"), ("workers", "workers", "\"2\""), ("ready_timeout", "ready_timeout", "\"60\""),
    ("wait", "wait", "5"), ("serial_dir", "serial_dir", "123"), ("login.user", "login.user", "123"),
    ("pools[0].name", "pools[0].name", "1"), ("images[0].name", "images[0].name", "1.5"),
    ("networks[0].name", "networks[0].name", "123"), ("networks[0].dhcp", "networks[0].dhcp", "\"yes\""),
    ("defaults.pool", "defaults.pool", "0"), ("nodes[0].name", "nodes[0].name", "7"),
    ("nodes[0].roles[0]", "nodes[0].roles", "[all]"), ("nodes[0].roles[1]", "nodes[0].roles", "[web, ungrouped]"),
    ("nodes[0].role", "nodes[0].role", "[web]"), ("nodes[0].count", "nodes[0].count", "\"3\""),
    ("nodes[0].vcpus", "nodes[0].vcpus", "\"1\""), ("nodes[0].memory", "nodes[0].memory", "true"),
    ("nodes[0].cloud_init.timezone", "nodes[0].cloud_init.timezone", "no"),
    ("nodes[0].cloud_init.packages[0]", "nodes[0].cloud_init.packages", "[1]"),
    ("nodes[0].networks[0].name", "nodes[0].networks[0].name", "123"), ("nodes[0].disks[0].vg", "nodes[0].disks[0].vg", "123"),
    ("nodes[0].disk_size", "nodes[0].disk_size", "16M"), ("nodes[0].disk_size", "nodes[0].disk_size", "9999T"),
    ("nodes[0].disks", "nodes[0].disks", "[{size: 9000T}]"),
    ("serial_dir", "serial_dir", "{TEXT}"), ("serial_dir", "serial_dir", "{TEXT}/sub"),
]

/// The fixtures every case may name, made before the cases and removed after.
struct Corpus {
    let scope: TestScope
    var values: [String: String] = [:]
    let run = Daemon.runDirectory.path
    /// Marks the private key's body: it must never be printed.
    static let secret = "c29ycHVzLXNlY3JldC1ib2R5"

    /// `scope`: the prefix's middle, so two suites' corpora never meet.
    init(scope name: String = "corpus") throws {
        scope = try TestScope(name)
        let p = scope.prefix
        let connection = scope.connection
        let poolDir = "\(run)/\(p)pool"
        try FileManager.default.createDirectory(atPath: poolDir, withIntermediateDirectories: true)
        let storage = StorageService(connection: connection)
        _ = try storage.createPool(PoolCreateRequest(name: "\(p)pool", kind: .dir, target: poolDir))
        let base = Daemon.image.appendingPathComponent("base.qcow2").path
        _ = try storage.importVolume(pool: "\(p)pool", file: base, name: "base.qcow2", format: nil)
        let subnet = "\(try scope.freeSubnet()).0/24"
        _ = try NetworkService(connection: connection).create(NetworkCreateRequest(name: "\(p)net", mode: .isolated, subnet: subnet))
        var request = VMCreateRequest(name: "\(p)vm")
        request.image = .volume(pool: "\(p)pool", name: "base.qcow2")
        request.pool = "\(p)pool"
        request.memory = "64M"
        request.networks = [NetworkSpec(kind: .network("\(p)net"))]
        let creator = VMCreator(connection: connection)
        let vmPlan = try creator.plan(request, domainType: .init(type: .qemu))
        try creator.run(vmPlan)
        let vmMAC = vmPlan.domain.interfaces.first?.mac?.description ?? ""
        let reservedMAC = "52:54:00:fe:ed:01"
        _ = try NetworkService(connection: connection).reserve("\(p)net", mac: reservedMAC, ip: "\(Self.hostPart(subnet)).21", host: "other")

        let free = "\(try scope.freeSubnet()).0/24"
        let free2 = "\(try scope.freeSubnet()).0/24"
        let fifo = "\(run)/\(p)fifo"
        _ = mkfifo(fifo, 0o600)
        try FileManager.default.createDirectory(atPath: "\(run)/\(p)dir", withIntermediateDirectories: true)
        let privateKey = "-----BEGIN OPENSSH PRIVATE KEY-----\n\(Self.secret)\n-----END OPENSSH PRIVATE KEY-----\n"
        try privateKey.write(toFile: "\(run)/\(p)key", atomically: true, encoding: .utf8)
        try "#cloud-config\nruncmd: [unclosed\n".write(toFile: "\(run)/\(p)userdata", atomically: true, encoding: .utf8)
        try "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq0aTqjTq5zCq1R0w3mJ0yq7cR9pQWqHqv1pRr3lZ8a corpus@test\n"
            .write(toFile: "\(run)/\(p)key.pub", atomically: true, encoding: .utf8)
        try "just some text\n".write(toFile: "\(run)/\(p)text", atomically: true, encoding: .utf8)
        try """
            <domain type='qemu'><name>\(p)bad name (win10)</name><memory>65536</memory>\
            <os><type arch='x86_64'>hvm</type></os></domain>
            """.write(toFile: "\(run)/\(p)bad.xml", atomically: true, encoding: .utf8)
        let plan = planText(lab: "\(p)lab", extra: [:])
        values = [
            "{P}": p, "{POOL}": "\(p)pool", "{POOLDIR}": poolDir, "{NET}": "\(p)net", "{VM}": "\(p)vm", "{RUN}": run,
            "{FIFO}": fifo, "{DIR}": "\(run)/\(p)dir", "{TEXT}": "\(run)/\(p)text", "{KEY}": "\(run)/\(p)key",
            "{USERDATA}": "\(run)/\(p)userdata", "{PUB}": "\(run)/\(p)key.pub", "{XML}": "\(run)/\(p)bad.xml", "{PRIVTEXT}": privateKey,
            "{KERNEL}": Daemon.image.appendingPathComponent("vmlinuz").path,
            "{INITRD}": Daemon.image.appendingPathComponent("initrd.img").path, "{BASEFILE}": base,
            "{SUBNET}": subnet, "{SUBNETHOST}": Self.hostPart(subnet), "{FREE}": free, "{FREEHOST}": Self.hostPart(free),
            "{FREE2}": free2,
            // An ed25519 key type with an RSA key's body.
            "{MISMATCHED}": "ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 someone@example",
            "{PLAN}": "\(run)/\(p)plan.yaml", "{VMMAC}": vmMAC, "{RESMAC}": reservedMAC,
        ]
        try plan.replacingOccurrences(of: "{POOL}", with: "\(p)pool").replacingOccurrences(of: "{NET_SUBNET}", with: free)
            .write(toFile: "\(run)/\(p)plan.yaml", atomically: true, encoding: .utf8)
    }

    /// Removes what `snapshot()` listed and a case made.
    func remove(_ made: Set<String>) {
        let connection = scope.connection
        for entry in made.sorted(by: >) {
            let parts = entry.split(separator: " ", maxSplits: 1).map(String.init)
            switch parts[0] {
            case "domain":
                guard let domain = try? connection.domain(named: parts[1]) else { continue }
                if (try? domain.isActive()) == true { try? domain.destroy() }
                try? domain.undefine([.managedSave, .snapshotsMetadata, .nvram])
            case "network":
                guard let network = try? connection.network(named: parts[1]) else { continue }
                if (try? network.isActive()) == true { try? network.destroy() }
                try? network.undefine()
            case "volume":
                let names = parts[1].split(separator: "/", maxSplits: 1).map(String.init)
                try? connection.storagePool(named: names[0]).volume(named: names[1]).delete()
            case "pool":
                guard let pool = try? connection.storagePool(named: parts[1]) else { continue }
                for volume in (try? pool.volumes()) ?? [] { try? volume.delete() }
                try? pool.destroy()
                try? pool.delete()
                try? pool.undefine()
            default:
                try? FileManager.default.removeItem(atPath: parts[1])
            }
        }
    }

    /// `10.201.7` of `10.201.7.0/24`.
    static func hostPart(_ subnet: String) -> String {
        subnet.split(separator: "/")[0].split(separator: ".").prefix(3).joined(separator: ".")
    }

    func expand(_ text: String) -> String {
        values.sorted { $0.key.count > $1.key.count }.reduce(text) { $0.replacingOccurrences(of: $1.key, with: $1.value) }
    }

    /// What exists under the prefix: domains, networks, pools and their
    /// volumes, files in the run directory and lab state.
    func snapshot() throws -> [String] {
        let connection = scope.connection
        var names: [String] = []
        names += try connection.domains().map(\.name).filter { $0.hasPrefix(scope.prefix) }.map { "domain \($0)" }
        names += try connection.networks().map(\.name).filter { $0.hasPrefix(scope.prefix) }.map { "network \($0)" }
        for pool in try connection.storagePools() where pool.name.hasPrefix(scope.prefix) {
            names.append("pool \(pool.name)")
            try pool.refresh()
            names += try pool.volumes().map { "volume \(pool.name)/\($0.name)" }
        }
        for directory in [run, "/var/lib/vmctl/labs"] {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            names += files.filter { $0.hasPrefix(scope.prefix) }.map { "file \(directory)/\($0)" }
        }
        return names.sorted()
    }
}

/// A valid one-node plan on the corpus pool; `extra` replaces whole lines by their key.
func planText(lab: String, extra: [String: String]) -> String {
    """
    lab: \(lab)
    workers: 2
    wait: none
    ready_timeout: 60
    serial_dir: \(Daemon.runDirectory.path)/\(lab)-serial
    login: {user: debian}
    pools: [{name: {POOL}, target: \(Daemon.runDirectory.path)/vmctl-test-corpus-pool}]
    images: [{name: base.qcow2, pool: {POOL}}]
    networks: [{name: mgmt, mode: isolated, subnet: {NET_SUBNET}, dhcp: true}]
    defaults: {memory: 64M, vcpus: 1, pool: {POOL}}
    nodes:
      - name: n1
        image: base.qcow2
        networks: [{name: mgmt, device: eth0}]
        cloud_init: {timezone: UTC}
    """
}

/// The words of a case's command: split on spaces, `''` is an empty word,
/// `'…'` keeps its spaces.
func words(_ command: String) -> [String] {
    var result: [String] = []
    var current = ""
    var quoted = false
    var started = false
    for character in command {
        if character == "'" {
            quoted.toggle()
            started = true
        } else if character == " " && !quoted {
            if started || !current.isEmpty { result.append(current) }
            current = ""
            started = false
        } else {
            current.append(character)
        }
    }
    if started || !current.isEmpty { result.append(current) }
    return result
}

@Suite(.enabled(if: Daemon.enabled), .serialized) struct IntegrationBadInputTests {
    /// Plan fields that hold a list or a mapping.
    static let containers: Set<String> = [
        "hosts", "login", "pools", "pools[0]", "images", "images[0]", "networks", "networks[0]", "defaults", "nodes", "nodes[0]",
        "nodes[0].disks", "nodes[0].networks", "nodes[0].cloud_init",
    ]

    /// Runs one case and returns what was wrong with the outcome, or nil.
    /// A plan may break several rules at once (a list of two bad entries): its
    /// problems come one per line, `FILE:LINE: field: rule`, after vmctl's first.
    static func check(_ corpus: Corpus, arguments: [String], status: Int32, field: String, manyLines: Bool = false) async throws -> String? {
        let before = try corpus.snapshot()
        let result = try await runOffThePool(vmctlBinary(), arguments, environment: ["LIBVIRT_DEFAULT_URI": Daemon.uri, "NO_COLOR": "1"],
                                             timeout: 60)
        let after = try corpus.snapshot()
        let lines = result.errors.split(separator: "\n", omittingEmptySubsequences: true)
        var problems: [String] = []
        if result.status != status { problems.append("exit \(result.status), not \(status)") }
        if lines.count != 1 && !(manyLines && lines.count > 1) { problems.append("\(lines.count) lines on stderr") }
        let line = lines.first.map(String.init) ?? ""
        if !line.hasPrefix("vmctl: error: ") { problems.append("not in vmctl's form") }
        if !lines.contains(where: { $0.contains(field) }) { problems.append("does not name \(field)") }
        if let long = lines.first(where: { $0.count > 400 }) { problems.append("\(long.count) characters long") }
        for raw in ["NSCocoaErrorDomain", "Error Domain=", "You don't have permission", "Missing value"] where line.contains(raw) {
            problems.append("shows raw text '\(raw)'")
        }
        if (result.output + result.errors).contains(Corpus.secret) { problems.append("printed the private key") }
        if before != after {
            problems.append("changed \(Set(before).symmetricDifference(after).sorted())")
            // What a refused case made goes again, so the next cases start from the same state.
            corpus.remove(Set(after).subtracting(before))
        }
        return problems.isEmpty ? nil : "\(problems.joined(separator: "; ")): \(line.prefix(300))"
    }

    /// Runs each `STATUS | FIELD | COMMAND` line of `cases` against `corpus`, and
    /// records each command with what was wrong with its refusal (nil: nothing).
    static func runCommandCases(_ cases: String, corpus: Corpus, record: (String, String?) -> Void) async throws {
        for line in cases.split(separator: "\n") {
            let parts = line.split(separator: "|", maxSplits: 2).map { $0.trimmingCharacters(in: .whitespaces) }
            try #require(parts.count == 3, "bad corpus line: \(line)")
            let arguments = words(parts[2]).map(corpus.expand)
            record(parts[2], try await check(corpus, arguments: arguments, status: Int32(parts[0])!, field: parts[1]))
        }
    }

    @Test(.timeLimit(.minutes(20))) func everyBadInputIsOneLineAndChangesNothing() async throws {
        let corpus = try Corpus()
        defer { corpus.scope.clean() }
        var count = 0
        var failures: [String] = []
        func record(_ label: String, _ problem: String?) {
            count += 1
            if let problem { failures.append("\(label): \(problem)") }
        }

        try await Self.runCommandCases(commandCases, corpus: corpus, record: record)

        // Every plan field given a list, a mapping and (for mappings and lists) a scalar of the wrong kind.
        let base = corpus.expand(planText(lab: "\(corpus.scope.prefix)lab", extra: [:]))
            .replacingOccurrences(of: "{NET_SUBNET}", with: corpus.values["{FREE}"]!)
        for (field, path) in planFieldCases {
            for wrong in ["[1, [2]]", "{a: {b: c}}", "7"] {
                // A number is a fine scalar: it is the wrong kind only where a list or mapping belongs.
                if wrong == "7" && !Self.containers.contains(path) { continue }
                guard let text = replacing(path, in: base, with: wrong).map(corpus.expand) else { continue }
                let file = "\(corpus.run)/\(corpus.scope.prefix)case.yaml"
                try text.write(toFile: file, atomically: true, encoding: .utf8)
                record("\(field) = \(wrong)", try await Self.check(corpus, arguments: ["lab", "up", file], status: 64, field: field, manyLines: true))
            }
        }

        // Plans that parse but that the host refuses: refused before lab up's first change.
        for line in planHostCases.split(separator: "\n") {
            let parts = line.split(separator: "|", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            let text = corpus.expand(applying(parts[1], to: base))
            let file = "\(corpus.run)/\(corpus.scope.prefix)case.yaml"
            try text.write(toFile: file, atomically: true, encoding: .utf8)
            record(parts[1], try await Self.check(corpus, arguments: ["lab", "up", file], status: 64, field: parts[0]))
            record("validate " + parts[1], try await Self.check(corpus, arguments: ["lab", "validate", file], status: 64, field: parts[0]))
        }

        // 5,000 networks: refused by count at once, not checked pair by pair.
        let many = (0..<5000).map { "  - {name: n\($0), mode: isolated, subnet: 10.\($0 / 250).\($0 % 250).0/24}" }.joined(separator: "\n")
        let file = "\(corpus.run)/\(corpus.scope.prefix)case.yaml"
        try base.replacingOccurrences(of: "\nnetworks: [{name: mgmt", with: "\nnetworks:\n\(many)\nunused: [{name: mgmt")
            .write(toFile: file, atomically: true, encoding: .utf8)
        record("5000 networks", try await Self.check(corpus, arguments: ["lab", "validate", file], status: 64, field: "networks", manyLines: true))

        #expect(count >= 300, "only \(count) cases")
        #expect(failures.isEmpty, "\(failures.count) of \(count) cases:\n\(failures.joined(separator: "\n"))")
    }
}

/// Issue 19's classes on their own corpus (scope `badh`): each case one line,
/// exit 64, nothing created or changed.
@Suite(.enabled(if: Daemon.enabled), .serialized) struct IntegrationBadInputClassesTests {
    @Test(.timeLimit(.minutes(20))) func everyClassIsRefusedBeforeAnyChange() async throws {
        let corpus = try Corpus(scope: "badh")
        defer { corpus.scope.clean() }
        var count = 0
        var failures: [String] = []
        func record(_ label: String, _ problem: String?) {
            count += 1
            if let problem { failures.append("\(label): \(problem)") }
        }
        try await IntegrationBadInputTests.runCommandCases(classCommandCases, corpus: corpus, record: record)
        let base = corpus.expand(planText(lab: "\(corpus.scope.prefix)lab", extra: [:]))
            .replacingOccurrences(of: "{NET_SUBNET}", with: corpus.values["{FREE}"]!)
        for (field, path, value) in classPlanCases {
            let text = try #require(replacing(path, in: base, with: value).map(corpus.expand), "no \(path) in the base plan")
            let file = "\(corpus.run)/\(corpus.scope.prefix)case.yaml"
            try text.write(toFile: file, atomically: true, encoding: .utf8)
            for verb in ["up", "validate"] {
                record("lab \(verb): \(path) = \(value)",
                       try await IntegrationBadInputTests.check(corpus, arguments: ["lab", verb, file], status: 64, field: field, manyLines: true))
            }
        }
        #expect(count == 36 + 2 * 28, "\(count) cases")
        #expect(failures.isEmpty, "\(failures.count) of \(count) cases:\n\(failures.joined(separator: "\n"))")
    }
}

/// The plan with the value at `path` (`nodes[0].cloud_init.timezone`)
/// replaced, found by the indentation of the base plan's flow and block YAML;
/// nil when the path is not in the base plan.
func replacing(_ path: String, in plan: String, with value: String) -> String? {
    // The base plan is small and regular: each path maps to one line and a key on it.
    let spots: [String: (line: String, key: String)] = [
        "lab": ("lab:", "lab"), "workers": ("workers:", "workers"), "wait": ("wait:", "wait"),
        "ready_timeout": ("ready_timeout:", "ready_timeout"), "serial_dir": ("serial_dir:", "serial_dir"),
        "login": ("login:", "login"), "pools": ("pools:", "pools"), "images": ("images:", "images"),
        "networks": ("networks: [{name: mgmt, mode", "networks"), "defaults": ("defaults:", "defaults"),
    ]
    var lines = plan.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if let spot = spots[path], let index = lines.firstIndex(where: { $0.hasPrefix(spot.line) }) {
        lines[index] = "\(spot.key): \(value)"
        return lines.joined(separator: "\n")
    }
    // Added keys: the plan gains the field with the wrong value.
    let added: [String: String] = [
        "hosts": "hosts: \(value)", "address_timeout": "address_timeout: \(value)",
        "login.user": "login: {user: \(value)}", "login.private_key": "login: {user: debian, private_key: \(value)}",
        "pools[0]": "pools: [\(value)]", "pools[0].name": "pools: [{name: \(value), target: {RUN}/{P}x}]",
        "pools[0].type": "pools: [{name: {P}px, type: \(value), target: {RUN}/{P}x}]",
        "pools[0].target": "pools: [{name: {P}px, target: \(value)}]", "images[0]": "images: [\(value)]",
        "images[0].name": "images: [{name: \(value), pool: {P}px}]", "images[0].pool": "images: [{name: x, pool: \(value)}]",
        "images[0].path": "images: [{name: x, pool: {P}px, path: \(value)}]", "networks[0]": "networks: [\(value)]",
        "networks[0].name": "networks: [{name: \(value), subnet: 10.9.9.0/24}]",
        "networks[0].mode": "networks: [{name: mgmt, mode: \(value), subnet: 10.9.9.0/24}]",
        "networks[0].subnet": "networks: [{name: mgmt, subnet: \(value)}]",
        "networks[0].dhcp": "networks: [{name: mgmt, subnet: 10.9.9.0/24, dhcp: \(value)}]",
        "networks[0].dhcp_range": "networks: [{name: mgmt, subnet: 10.9.9.0/24, dhcp_range: \(value)}]",
        "defaults.memory": "defaults: {memory: \(value)}", "defaults.vcpus": "defaults: {vcpus: \(value)}",
        "defaults.pool": "defaults: {pool: \(value)}",
    ]
    if let line = added[path] {
        let key = String(line.prefix { $0 != ":" })
        lines.removeAll { $0.hasPrefix("\(key):") }
        lines.insert(line, at: 1)
        return lines.joined(separator: "\n")
    }
    // Node fields: the one node's mapping, written again with the field.
    if path == "nodes" {
        let index = lines.firstIndex { $0 == "nodes:" }!
        return (lines[..<index] + ["nodes: \(value)"]).joined(separator: "\n")
    }
    guard path.hasPrefix("nodes[0]") else { return nil }
    let rest = path.dropFirst("nodes[0]".count)
    let index = lines.firstIndex { $0 == "nodes:" }!
    var node = ["name: n1", "image: base.qcow2", "networks: [{name: mgmt, device: eth0}]", "cloud_init: {timezone: UTC}"]
    switch rest {
    case "": return (lines[..<index] + ["nodes: [\(value)]"]).joined(separator: "\n")
    case ".networks[0]": node[2] = "networks: [\(value)]"
    case ".networks[0].name": node[2] = "networks: [{name: \(value)}]"
    case ".networks[0].ip": node[2] = "networks: [{name: mgmt, ip: \(value)}]"
    case ".networks[0].device": node[2] = "networks: [{name: mgmt, device: \(value)}]"
    case ".disks[0]": node.append("disks: [\(value)]")
    case ".disks[0].vg": node.append("disks: [{size: 1G, vg: \(value)}]")
    case let field where field.hasPrefix(".cloud_init."):
        node[3] = "cloud_init: {\(field.dropFirst(".cloud_init.".count)): \(value)}"
    case ".name": node[0] = "name: \(value)"
    case ".image": node[1] = "image: \(value)"
    case ".networks": node[2] = "networks: \(value)"
    case ".cloud_init": node[3] = "cloud_init: \(value)"
    default: node.append("\(rest.dropFirst()): \(value)")
    }
    let block = ["  - " + node[0]] + node.dropFirst().map { "    " + $0 }
    return (lines[..<index] + ["nodes:"] + block).joined(separator: "\n")
}

/// The base plan with a host case applied: a top-level `KEY: …` replaces
/// that line; a node setting (`memory: …`) is added to the node, replacing
/// what it had; `A + B` applies both.
func applying(_ change: String, to plan: String) -> String {
    var text = plan
    for part in change.components(separatedBy: " + ") {
        let key = String(part.prefix { $0 != ":" })
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if ["pools", "images", "networks"].contains(key) {
            lines.removeAll { $0.hasPrefix("\(key):") }
            lines.insert(part, at: 1)
            if key == "pools" {
                // The node's pool must exist: the corpus pool stays the default.
                lines = lines.map { $0.hasPrefix("defaults:") ? "defaults: {memory: 64M, vcpus: 1, pool: {POOL}}" : $0 }
                lines.insert("images: []", at: 1)
                lines.removeAll { $0.hasPrefix("images: [{name: base.qcow2") }
                lines = lines.map { $0 == "    image: base.qcow2" ? "    image: {POOL}/base.qcow2" : $0 }
            }
            if key == "images" {
                lines = lines.map { $0 == "    image: base.qcow2" ? "    image: {POOL}/base.qcow2" : $0 }
                lines.removeAll { $0.hasPrefix("pools:") }
            }
        } else if ["ssh_keys", "user_data"].contains(key) {
            lines = lines.map { $0.hasPrefix("    cloud_init:") ? "    cloud_init: {\(part)}" : $0 }
        } else if ["device", "ip"].contains(key) {
            lines = lines.map { $0.hasPrefix("    networks:") ? "    networks: [{name: mgmt, \(part)}]" : $0 }
        } else if key == "name" {
            lines = lines.map { $0.hasPrefix("  - name:") ? "  - \(part)" : $0 }
        } else {
            lines.removeAll { $0.hasPrefix("    \(key):") }
            if key == "kernel" { lines.removeAll { $0.hasPrefix("    image:") } }
            if key == "image" { lines.removeAll { $0.hasPrefix("    image:") } }
            lines.append("    \(part)")
        }
        text = lines.joined(separator: "\n")
    }
    return text
}
