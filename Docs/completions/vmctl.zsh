#compdef vmctl

__vmctl_complete() {
    local -ar non_empty_completions=("${@:#(|:*)}")
    local -ar empty_completions=("${(M)@:#(|:*)}")
    _describe -V '' non_empty_completions -- empty_completions -P $'\'\''
}

__vmctl_custom_complete() {
    local -a completions
    completions=("${(@f)"$("${command_name}" "${@}" "${command_line[@]}")"}")
    if [[ "${#completions[@]}" -gt 1 ]]; then
        __vmctl_complete "${completions[@]:0:-1}"
    fi
}

__vmctl_cursor_index_in_current_word() {
    if [[ -z "${QIPREFIX}${IPREFIX}${PREFIX}" ]]; then
        printf 0
    else
        printf %s "${#${(z)LBUFFER}[-1]}"
    fi
}

_vmctl() {
    emulate -RL zsh -G
    setopt extendedglob nullglob numericglobsort
    unsetopt aliases banghist

    local -xr SAP_SHELL=zsh
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(builtin emulate zsh -c 'printf %s "${ZSH_VERSION}"')"
    local -r SAP_SHELL_VERSION

    local context state state_descr line
    local -A opt_args

    local -r command_name="${words[1]}"
    local -ar command_line=("${words[@]}")
    local -ir current_word_index="$((CURRENT - 1))"

    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
        '(-): :->command'
        '(-)*:: :->arg'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0
    case "${state}" in
    command)
        local -ar subcommands=(
            'version:Show vmctl'\''s, libvirt'\''s and the hypervisor'\''s versions.'
            'host:Check whether this host can run KVM guests and is prepared for a lab.'
            'vm:Create, clone, list and control virtual machines.'
            'snapshot:Create, list, revert to and delete a VM'\''s snapshots.'
            'net:Create and manage libvirt networks: NAT, host-only, bridged, routed.'
            'pool:Create and manage storage pools: directories, file systems, NFS, LVM.'
            'vol:Create, clone, resize and import storage volumes.'
            'image:Fetch verified cloud images into a pool, list base images and who uses them, prune unused ones.'
            'lab:Declare a whole lab in YAML, bring it up in parallel, report its status, tear it down.'
            'help:Show subcommand help information.'
        )
        _describe -V subcommand subcommands && ret=0
        ;;
    arg)
        case "${words[1]}" in
        version|host|vm|snapshot|net|pool|vol|image|lab|help)
            "_vmctl_${words[1]}" && ret=0
            ;;
        esac
        ;;
    esac

    return "${ret}"
}

_vmctl_version() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        '--local[Do not connect to a daemon; show only vmctl'\''s and the library'\''s versions.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_host() {
    local -i ret=1
    local -ar arg_specs=(
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
        '(-): :->command'
        '(-)*:: :->arg'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0
    case "${state}" in
    command)
        local -ar subcommands=(
            'check:CPU extensions, KVM modules, /dev/kvm, working KVM, services and host preparation.'
        )
        _describe -V subcommand subcommands && ret=0
        ;;
    arg)
        case "${words[1]}" in
        check)
            "_vmctl_host_${words[1]}" && ret=0
            ;;
        esac
        ;;
    esac

    return "${ret}"
}

_vmctl_host_check() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        '--root[Check an offline copy of a host rooted here; live-only checks SKIP.]:root:'
        '--no-probes[Skip the two KVM probes (kernel vCPU run and QEMU boot).]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_vm() {
    local -i ret=1
    local -ar arg_specs=(
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
        '(-): :->command'
        '(-)*:: :->arg'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0
    case "${state}" in
    command)
        local -ar subcommands=(
            'create:Create a VM from a base image (linked clone by default), a blank disk, an installer or a kernel.'
            'clone:Clone a VM: new name, UUID and MACs, and a linked (copy-on-write) or full copy of each writable disk.'
            'list:List VMs: state, vCPUs, memory, address, lab and role.'
            'show:Show a VM'\''s disks, NICs, addresses and snapshots.'
            'ip:Show a VM'\''s addresses (DHCP lease, guest agent, ARP); with --wait, wait for one and explain when none comes.'
            'ssh:Log in to a VM over SSH, or run a command there; the exit status is the remote command'\''s.'
            'scp:Copy files to or from a VM over SSH; write the VM'\''s side as NAME:PATH.'
            'xml:Print a VM'\''s libvirt XML.'
            'console:Attach to a VM'\''s serial console (Ctrl-] detaches); a serial port logged to a file is followed read-only.'
            'start:Start a VM.'
            'stop:Shut a VM down gracefully (ACPI), waiting for it to stop.'
            'restart:Stop a VM gracefully, then start it again.'
            'destroy:Stop a VM at once, like pulling the plug.'
            'delete:Remove a VM and only the volumes vmctl created for it; never a shared base image or a volume another VM uses.'
            'define:Define a VM from a libvirt XML file (schema-validated).'
            'undefine:Remove a stopped VM'\''s definition; its disks stay.'
            'suspend:Pause a running VM'\''s vCPUs (it keeps its memory).'
            'resume:Let a suspended VM run again.'
            'attach-disk:Attach an existing image, or a new empty volume, as a virtio disk.'
            'detach-disk:Detach a disk by its target (vdb); its image or volume is kept.'
            'attach-nic:Attach a network interface.'
            'detach-nic:Detach a network interface by its MAC address.'
            'set:Change a VM'\''s memory and vCPUs, live and persistent where libvirt allows.'
            'autostart:Make a VM start with the host (or, with --disable, not).'
            'edit:Edit a VM'\''s persistent XML in $VISUAL or $EDITOR (default vi), validated before it is defined.'
            'rename:Rename a shut-off VM.'
        )
        _describe -V subcommand subcommands && ret=0
        ;;
    arg)
        case "${words[1]}" in
        create|clone|list|show|ip|ssh|scp|xml|console|start|stop|restart|destroy|delete|define|undefine|suspend|resume|attach-disk|detach-disk|attach-nic|detach-nic|set|autostart|edit|rename)
            "_vmctl_vm_${words[1]}" && ret=0
            ;;
        esac
        ;;
    esac

    return "${ret}"
}

_vmctl_vm_create() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar ___firmware=('bios' 'uefi')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':name:'
        '--image[Base image\: POOL/VOLUME, VOLUME (in --pool) or an absolute path. The VM gets a qcow2 overlay on it.]:image:'
        '--full[Copy the base image instead of layering an overlay on it.]'
        '--disk-size[Size of a blank disk, or of the root disk when larger than the image (e.g. 20G).]:disk-size:'
        '--cdrom[An installer ISO to boot from.]:cdrom:'
        '--kernel[Direct kernel boot\: kernel image on the host.]:kernel:'
        '--initrd[Direct kernel boot\: initrd on the host.]:initrd:'
        '--cmdline[Direct kernel boot\: kernel command line.]:cmdline:'
        '--memory[Memory (e.g. 512M, 2G).]:memory:'
        '--vcpus[Virtual CPUs.]:vcpus:'
        '--cpu[CPU\: host-passthrough, host-model, maximum or a model name.]:cpu:'
        '--nested[Expose vmx/svm so the guest can run its own KVM guests.]'
        '--firmware[Firmware\: bios or uefi (OVMF, chosen by libvirt; the VM gets its own NVRAM file, removed by vm delete).]:firmware:{__vmctl_complete "${___firmware[@]}"}'
        '*--network[NAME | network=NAME | bridge=BR | direct=DEV, with ,mac=… ,model=… ,device=NAME (the name in the guest, default ethN); repeat for more NICs.]:network:'
        '*--disk[A data disk\: SIZE or SIZE,vg=NAME (an LVM volume group cloud-init makes on it); repeat for vdb, vdc, …]:disk:'
        '--pool[Storage pool for the VM'\''s volumes.]:pool:'
        '--autostart[Start the VM with the host.]'
        '--start[Start the VM now.]'
        '--wait-ip[Start and wait up to this many seconds for an IPv4 address (--wait address --wait-timeout N).]:wait-ip:'
        '--wait[Return once the guest is ready up to this stage\: none, address, ssh or cloud-init (ssh and cloud-init need the login key).]:wait:'
        '--wait-timeout[Seconds to wait for --wait at most.]:wait-timeout:'
        '--type[Domain type\: kvm or qemu (default\: what the host check finds usable).]:type:'
        '--require-kvm[Fail instead of falling back to qemu when KVM cannot run guests.]'
        '--serial-file[Log the serial console to this file instead of a pty.]:serial-file:'
        '--graphics[Graphics\: vnc, spice or none.]:graphics:'
        '--lab[Lab name recorded in vmctl'\''s metadata.]:lab:'
        '--role[Role recorded in vmctl'\''s metadata.]:role:'
        '--cloud-init[cloud-init\: a user-data file passed through unchanged.]:cloud-init:'
        '--hostname[cloud-init\: the guest'\''s hostname (default\: the VM'\''s name when any cloud-init option is given).]:hostname:'
        '*--ssh-key[cloud-init\: an SSH public key, or @FILE with one per line; repeat for more.]:ssh-key:'
        '--password[cloud-init\: the default user'\''s password.]:password:'
        '--login-user[The login user that gets the SSH keys (the image'\''s default user).]:login-user:'
        '--ssh-private-key[The private key for readiness checks and vm ssh (default\: the file beside --ssh-key @KEY.pub).]:ssh-private-key:'
        '--dry-run[Print the domain XML and the volumes it would create; change nothing.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_vm_clone() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':source:{__vmctl_custom_complete ---completion vm clone -- positional@0 "${current_word_index}" "$(__vmctl_cursor_index_in_current_word)"}'
        ':name:'
        '--linked[Linked clone (default) or full copy.]'
        '--full[Linked clone (default) or full copy.]'
        '--count[How many clones.]:count:'
        '--suspend-source[With --full\: pause a running source while its disks are copied.]'
        '--start[Start the clones.]'
        '--keep-identity[Share the source'\''s cloud-init seed\: the clone keeps its host name, instance-id, SSH host keys and machine-id.]'
        '--wait[Return once the guest is ready up to this stage\: none, address, ssh or cloud-init (ssh and cloud-init need the login key).]:wait:'
        '--wait-timeout[Seconds to wait for --wait at most.]:wait-timeout:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_vm_list() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar ___state=('all' 'running' 'paused' 'shut-off')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        '--state[Only VMs in this state\: all (default), running, paused or shut-off.]:state:{__vmctl_complete "${___state[@]}"}'
        '--name[Only VMs whose name matches this shell glob (quote it\: '\''web*'\'').]:pattern:'
        '--lab[Only VMs vmctl created for this lab.]:lab:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_vm_show() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':name:{__vmctl_custom_complete ---completion vm show -- positional@0 "${current_word_index}" "$(__vmctl_cursor_index_in_current_word)"}'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_vm_ip() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':name:{__vmctl_custom_complete ---completion vm ip -- positional@0 "${current_word_index}" "$(__vmctl_cursor_index_in_current_word)"}'
        '--wait[Wait up to this many seconds for an IPv4 address.]:wait:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_vm_ssh() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':name:{__vmctl_custom_complete ---completion vm ssh -- positional@0 "${current_word_index}" "$(__vmctl_cursor_index_in_current_word)"}'
        '(--user -u)'{--user,-u}'[Log in as this user (default\: the one recorded at create time).]:user:'
        '(-i --identity)'{-i,--identity}'[The private key (default\: the one recorded at create time).]:identity:'
        '--wait[Wait up to this many seconds for an address.]:wait:'
        '*:command:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_vm_scp() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        '(--recursive -r)'{--recursive,-r}'[Copy folders and what they hold.]'
        '(--user -u)'{--user,-u}'[Log in as this user (default\: the one recorded at create time).]:user:'
        '(-i --identity)'{-i,--identity}'[The private key (default\: the one recorded at create time).]:identity:'
        '--wait[Wait up to this many seconds for an address.]:wait:'
        '*:paths:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_vm_xml() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':name:{__vmctl_custom_complete ---completion vm xml -- positional@0 "${current_word_index}" "$(__vmctl_cursor_index_in_current_word)"}'
        '--inactive[The persistent definition rather than the running one.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_vm_console() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':name:{__vmctl_custom_complete ---completion vm console -- positional@0 "${current_word_index}" "$(__vmctl_cursor_index_in_current_word)"}'
        '--read[Only read the console for this many seconds, sending nothing (for scripts).]:read:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_vm_start() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':name:{__vmctl_custom_complete ---completion vm start -- positional@0 "${current_word_index}" "$(__vmctl_cursor_index_in_current_word)"}'
        '--wait[Return once the guest is ready up to this stage\: none, address, ssh or cloud-init (ssh and cloud-init need the login key).]:wait:'
        '--wait-timeout[Seconds to wait for --wait at most.]:wait-timeout:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_vm_stop() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':name:{__vmctl_custom_complete ---completion vm stop -- positional@0 "${current_word_index}" "$(__vmctl_cursor_index_in_current_word)"}'
        '--timeout[Seconds to wait for the guest to power off.]:timeout:'
        '--force[Destroy the VM if it has not stopped when the timeout ends.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_vm_restart() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':name:{__vmctl_custom_complete ---completion vm restart -- positional@0 "${current_word_index}" "$(__vmctl_cursor_index_in_current_word)"}'
        '--timeout[Seconds to wait for the guest to power off.]:timeout:'
        '--force[Destroy the VM if it has not stopped when the timeout ends.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_vm_destroy() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':name:{__vmctl_custom_complete ---completion vm destroy -- positional@0 "${current_word_index}" "$(__vmctl_cursor_index_in_current_word)"}'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_vm_delete() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':name:{__vmctl_custom_complete ---completion vm delete -- positional@0 "${current_word_index}" "$(__vmctl_cursor_index_in_current_word)"}'
        '--force[Destroy the VM first if it is running.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_vm_define() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':file:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_vm_undefine() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':name:{__vmctl_custom_complete ---completion vm undefine -- positional@0 "${current_word_index}" "$(__vmctl_cursor_index_in_current_word)"}'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_vm_suspend() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':name:{__vmctl_custom_complete ---completion vm suspend -- positional@0 "${current_word_index}" "$(__vmctl_cursor_index_in_current_word)"}'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_vm_resume() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':name:{__vmctl_custom_complete ---completion vm resume -- positional@0 "${current_word_index}" "$(__vmctl_cursor_index_in_current_word)"}'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_vm_attach-disk() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':name:{__vmctl_custom_complete ---completion vm attach-disk -- positional@0 "${current_word_index}" "$(__vmctl_cursor_index_in_current_word)"}'
        '--source[An existing image\: POOL/VOLUME, VOLUME (in --pool) or an absolute path.]:source:'
        '--size[The size of a new qcow2 volume that vmctl creates (and vm delete removes).]:size:'
        '--pool[The pool of a new volume, or of --source VOLUME.]:pool:'
        '--target[The guest device (default\: the first free of vdb … vdz).]:target:'
        '--readonly[Attach it read-only.]'
        '--live[Change the running VM (default\: when it runs).]'
        '--config[Change the persistent definition (default\: when it has one).]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_vm_detach-disk() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':name:{__vmctl_custom_complete ---completion vm detach-disk -- positional@0 "${current_word_index}" "$(__vmctl_cursor_index_in_current_word)"}'
        ':target:'
        '--live[Change the running VM (default\: when it runs).]'
        '--config[Change the persistent definition (default\: when it has one).]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_vm_attach-nic() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':name:{__vmctl_custom_complete ---completion vm attach-nic -- positional@0 "${current_word_index}" "$(__vmctl_cursor_index_in_current_word)"}'
        '--network[NAME, network=NAME, bridge=BR or direct=DEV, with ,mac=… and ,model=… (as vm create takes it).]:network:'
        '--live[Change the running VM (default\: when it runs).]'
        '--config[Change the persistent definition (default\: when it has one).]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_vm_detach-nic() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':name:{__vmctl_custom_complete ---completion vm detach-nic -- positional@0 "${current_word_index}" "$(__vmctl_cursor_index_in_current_word)"}'
        ':mac:'
        '--live[Change the running VM (default\: when it runs).]'
        '--config[Change the persistent definition (default\: when it has one).]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_vm_set() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':name:{__vmctl_custom_complete ---completion vm set -- positional@0 "${current_word_index}" "$(__vmctl_cursor_index_in_current_word)"}'
        '--memory[Memory, e.g. 2G (1024-based units).]:memory:'
        '--vcpus[Virtual CPUs.]:vcpus:'
        '--live[Change the running VM (default\: when it runs).]'
        '--config[Change the persistent definition (default\: when it has one).]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_vm_autostart() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':name:{__vmctl_custom_complete ---completion vm autostart -- positional@0 "${current_word_index}" "$(__vmctl_cursor_index_in_current_word)"}'
        '--disable[Stop the VM starting with the host.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_vm_edit() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':name:{__vmctl_custom_complete ---completion vm edit -- positional@0 "${current_word_index}" "$(__vmctl_cursor_index_in_current_word)"}'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_vm_rename() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':name:{__vmctl_custom_complete ---completion vm rename -- positional@0 "${current_word_index}" "$(__vmctl_cursor_index_in_current_word)"}'
        ':new-name:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_snapshot() {
    local -i ret=1
    local -ar arg_specs=(
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
        '(-): :->command'
        '(-)*:: :->arg'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0
    case "${state}" in
    command)
        local -ar subcommands=(
            'create:Take a snapshot (disks, and memory when running).'
            'list:List a VM'\''s snapshots.'
            'revert:Revert a VM to a snapshot.'
            'delete:Delete a snapshot.'
        )
        _describe -V subcommand subcommands && ret=0
        ;;
    arg)
        case "${words[1]}" in
        create|list|revert|delete)
            "_vmctl_snapshot_${words[1]}" && ret=0
            ;;
        esac
        ;;
    esac

    return "${ret}"
}

_vmctl_snapshot_create() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':vm:{__vmctl_custom_complete ---completion snapshot create -- positional@0 "${current_word_index}" "$(__vmctl_cursor_index_in_current_word)"}'
        ':name:'
        '--description[A description.]:description:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_snapshot_list() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':vm:{__vmctl_custom_complete ---completion snapshot list -- positional@0 "${current_word_index}" "$(__vmctl_cursor_index_in_current_word)"}'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_snapshot_revert() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':vm:{__vmctl_custom_complete ---completion snapshot revert -- positional@0 "${current_word_index}" "$(__vmctl_cursor_index_in_current_word)"}'
        ':name:{__vmctl_custom_complete ---completion snapshot revert -- positional@1 "${current_word_index}" "$(__vmctl_cursor_index_in_current_word)"}'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_snapshot_delete() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':vm:{__vmctl_custom_complete ---completion snapshot delete -- positional@0 "${current_word_index}" "$(__vmctl_cursor_index_in_current_word)"}'
        ':name:{__vmctl_custom_complete ---completion snapshot delete -- positional@1 "${current_word_index}" "$(__vmctl_cursor_index_in_current_word)"}'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_net() {
    local -i ret=1
    local -ar arg_specs=(
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
        '(-): :->command'
        '(-)*:: :->arg'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0
    case "${state}" in
    command)
        local -ar subcommands=(
            'create:Define a network and start it.'
            'list:List networks: state, bridge, mode and subnet.'
            'show:Show one network: addressing, DHCP, reservations, users.'
            'start:Start a defined network.'
            'stop:Stop a running network; its definition stays.'
            'delete:Stop and undefine a network.'
            'leases:List the network'\''s DHCP leases.'
            'reserve:Give a MAC address a fixed IP through DHCP.'
            'unreserve:Remove a MAC address'\''s fixed IP.'
        )
        _describe -V subcommand subcommands && ret=0
        ;;
    arg)
        case "${words[1]}" in
        create|list|show|start|stop|delete|leases|reserve|unreserve)
            "_vmctl_net_${words[1]}" && ret=0
            ;;
        esac
        ;;
    esac

    return "${ret}"
}

_vmctl_net_create() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar ___mode=('nat' 'isolated' 'bridge' 'route' 'open')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':name:'
        '--mode[nat, isolated, bridge, route or open.]:mode:{__vmctl_complete "${___mode[@]}"}'
        '--subnet[Subnet as CIDR with host bits clear, e.g. 192.168.100.0/24 (not in bridge mode).]:subnet:'
        '--dhcp-range[START-END inside the subnet (default\: after the gateway to the end).]:dhcp-range:'
        '--bridge[bridge mode\: an existing host bridge; other modes\: the name of the bridge libvirt creates.]:bridge:'
        '--domain[DNS domain handed to guests.]:domain:'
        '--no-dhcp[No DHCP server on the network.]'
        '--autostart[Start the network with the host.]'
        '--no-start[Define only; do not start.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_net_list() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_net_show() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':name:{__vmctl_custom_complete ---completion net show -- positional@0 "${current_word_index}" "$(__vmctl_cursor_index_in_current_word)"}'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_net_start() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':name:{__vmctl_custom_complete ---completion net start -- positional@0 "${current_word_index}" "$(__vmctl_cursor_index_in_current_word)"}'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_net_stop() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':name:{__vmctl_custom_complete ---completion net stop -- positional@0 "${current_word_index}" "$(__vmctl_cursor_index_in_current_word)"}'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_net_delete() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':name:{__vmctl_custom_complete ---completion net delete -- positional@0 "${current_word_index}" "$(__vmctl_cursor_index_in_current_word)"}'
        '--force[Delete even while running domains use the network.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_net_leases() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':name:{__vmctl_custom_complete ---completion net leases -- positional@0 "${current_word_index}" "$(__vmctl_cursor_index_in_current_word)"}'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_net_reserve() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':name:{__vmctl_custom_complete ---completion net reserve -- positional@0 "${current_word_index}" "$(__vmctl_cursor_index_in_current_word)"}'
        '--mac[The guest NIC'\''s MAC address.]:mac:'
        '--ip[The address to hand out, inside the network'\''s subnet.]:ip:'
        '--host[Host name handed to the guest.]:host:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_net_unreserve() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':name:{__vmctl_custom_complete ---completion net unreserve -- positional@0 "${current_word_index}" "$(__vmctl_cursor_index_in_current_word)"}'
        '--mac[The guest NIC'\''s MAC address.]:mac:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_pool() {
    local -i ret=1
    local -ar arg_specs=(
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
        '(-): :->command'
        '(-)*:: :->arg'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0
    case "${state}" in
    command)
        local -ar subcommands=(
            'create:Define a pool, build its target and start it.'
            'list:List pools: state, target, space and volume count.'
            'show:Show one pool: source, target, space and volumes.'
            'start:Start a defined pool.'
            'stop:Stop a pool; its volumes stay on disk.'
            'refresh:Rescan a running pool'\''s target for volumes.'
            'delete:Stop and undefine a pool; volumes stay on disk.'
        )
        _describe -V subcommand subcommands && ret=0
        ;;
    arg)
        case "${words[1]}" in
        create|list|show|start|stop|refresh|delete)
            "_vmctl_pool_${words[1]}" && ret=0
            ;;
        esac
        ;;
    esac

    return "${ret}"
}

_vmctl_pool_create() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar ___type=('dir' 'fs' 'netfs' 'logical')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':name:'
        '--type[dir, fs, netfs or logical.]:type:{__vmctl_complete "${___type[@]}"}'
        '--target[Target directory (dir), mount point (fs, netfs) or /dev/VG (logical).]:target:'
        '--source-dev[Block device (fs, logical).]:source-dev:'
        '--source-host[NFS server (netfs).]:source-host:'
        '--source-path[Exported directory (netfs).]:source-path:'
        '--source-name[Volume group name (logical).]:source-name:'
        '--autostart[Start the pool with the host.]'
        '--no-start[Define and build only; do not start.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_pool_list() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_pool_show() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':name:{__vmctl_custom_complete ---completion pool show -- positional@0 "${current_word_index}" "$(__vmctl_cursor_index_in_current_word)"}'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_pool_start() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':name:{__vmctl_custom_complete ---completion pool start -- positional@0 "${current_word_index}" "$(__vmctl_cursor_index_in_current_word)"}'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_pool_stop() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':name:{__vmctl_custom_complete ---completion pool stop -- positional@0 "${current_word_index}" "$(__vmctl_cursor_index_in_current_word)"}'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_pool_refresh() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':name:{__vmctl_custom_complete ---completion pool refresh -- positional@0 "${current_word_index}" "$(__vmctl_cursor_index_in_current_word)"}'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_pool_delete() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':name:{__vmctl_custom_complete ---completion pool delete -- positional@0 "${current_word_index}" "$(__vmctl_cursor_index_in_current_word)"}'
        '--delete-data[Also delete the (empty) target directory.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_vol() {
    local -i ret=1
    local -ar arg_specs=(
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
        '(-): :->command'
        '(-)*:: :->arg'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0
    case "${state}" in
    command)
        local -ar subcommands=(
            'create:Create an empty (sparse) volume, or a qcow2 overlay with --backing.'
            'list:List a pool'\''s volumes.'
            'delete:Delete a volume and its data; refused while a VM uses it or another volume is layered on it.'
            'clone:Copy a volume in full (no backing chain) within its pool.'
            'resize:Grow a volume (shrink only with --shrink).'
            'import:Upload a local image file (qcow2 or raw) into a pool as a new volume.'
        )
        _describe -V subcommand subcommands && ret=0
        ;;
    arg)
        case "${words[1]}" in
        create|list|delete|clone|resize|import)
            "_vmctl_vol_${words[1]}" && ret=0
            ;;
        esac
        ;;
    esac

    return "${ret}"
}

_vmctl_vol_create() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':pool:{__vmctl_custom_complete ---completion vol create -- positional@0 "${current_word_index}" "$(__vmctl_cursor_index_in_current_word)"}'
        ':name:'
        '--size[Capacity, e.g. 20G, 512M (default with --backing\: the backing image'\''s).]:size:'
        '--format[qcow2 (default) or raw.]:format:'
        '--backing[Backing image\: a volume path, or a volume name in the same pool.]:backing:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_vol_list() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':pool:{__vmctl_custom_complete ---completion vol list -- positional@0 "${current_word_index}" "$(__vmctl_cursor_index_in_current_word)"}'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_vol_delete() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':pool:{__vmctl_custom_complete ---completion vol delete -- positional@0 "${current_word_index}" "$(__vmctl_cursor_index_in_current_word)"}'
        ':name:{__vmctl_custom_complete ---completion vol delete -- positional@1 "${current_word_index}" "$(__vmctl_cursor_index_in_current_word)"}'
        '--force[Delete it even though a VM or another volume still uses it.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_vol_clone() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':pool:{__vmctl_custom_complete ---completion vol clone -- positional@0 "${current_word_index}" "$(__vmctl_cursor_index_in_current_word)"}'
        ':source:{__vmctl_custom_complete ---completion vol clone -- positional@1 "${current_word_index}" "$(__vmctl_cursor_index_in_current_word)"}'
        ':name:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_vol_resize() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':pool:{__vmctl_custom_complete ---completion vol resize -- positional@0 "${current_word_index}" "$(__vmctl_cursor_index_in_current_word)"}'
        ':name:{__vmctl_custom_complete ---completion vol resize -- positional@1 "${current_word_index}" "$(__vmctl_cursor_index_in_current_word)"}'
        ':size:'
        '--shrink[Allow a smaller size; data past the new end is lost.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_vol_import() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':pool:{__vmctl_custom_complete ---completion vol import -- positional@0 "${current_word_index}" "$(__vmctl_cursor_index_in_current_word)"}'
        ':file:'
        '--name[The volume'\''s name (default\: the file'\''s name).]:name:'
        '--format[qcow2 or raw; must match what qemu-img detects.]:format:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_image() {
    local -i ret=1
    local -ar arg_specs=(
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
        '(-): :->command'
        '(-)*:: :->arg'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0
    case "${state}" in
    command)
        local -ar subcommands=(
            'fetch:Download an image over HTTP(S), verify its checksum and import it into a pool.'
            'list:List base images (fetched by vmctl, or under another volume) and the VMs and volumes using them.'
            'prune:Remove fetched images that no VM disk and no volume'\''s backing chain uses.'
        )
        _describe -V subcommand subcommands && ret=0
        ;;
    arg)
        case "${words[1]}" in
        fetch|list|prune)
            "_vmctl_image_${words[1]}" && ret=0
            ;;
        esac
        ;;
    esac

    return "${ret}"
}

_vmctl_image_fetch() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':source:'
        '--pool[The pool to import into.]:pool:'
        '--name[The volume'\''s name (default\: the URL'\''s file name).]:name:'
        '--checksum[The expected digest\: sha256\:HEX or sha512\:HEX.]:checksum:'
        '--timeout[Seconds an HTTP request may go without data (1-3600).]:timeout:'
        '*--keyring[An OpenPGP keyring (binary, as gpg --export writes it) the checksum file'\''s signature must verify against; repeatable.]:keyring:'
        '--insecure-checksums[Take an unsigned checksum file on TLS alone (no signature check).]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_image_list() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        '--pool[Only images in this pool.]:pool:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_image_prune() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        '--dry-run[Print what would be removed; remove nothing.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_lab() {
    local -i ret=1
    local -ar arg_specs=(
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
        '(-): :->command'
        '(-)*:: :->arg'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0
    case "${state}" in
    command)
        local -ar subcommands=(
            'up:Create what is missing (networks, pools, images, VMs), start the nodes in parallel and wait until they are ready.'
            'status:Each node'\''s role, host, state and addresses.'
            'down:Remove exactly what the lab created: its VMs, their volumes and its networks; never shared images or pools.'
            'validate:Check a plan against its hosts, list every problem with its line, and say what lab up would do.'
            'inventory:Write an Ansible or kolla-ansible inventory from the lab'\''s nodes and addresses.'
            'kolla-globals:globals.yml overrides for kolla-ansible: interfaces, a free VIP, the lab'\''s keepalived router id, nova_compute_virt_type, cinder.'
            'ssh:Log in to a lab node over SSH as the plan'\''s login user, or run a command there.'
            'checkpoint:Save every node of the lab at one instant (memory and all disks), or delete a checkpoint with --delete.'
            'revert:Bring every node of the lab back to a checkpoint together, set the guests'\'' clocks, and wait until they answer.'
            'checkpoints:List the lab'\''s checkpoints, oldest first.'
            'check:Check every node by kolla-ansible'\''s rules, over SSH; changes nothing.'
        )
        _describe -V subcommand subcommands && ret=0
        ;;
    arg)
        case "${words[1]}" in
        up|status|down|validate|inventory|kolla-globals|ssh|checkpoint|revert|checkpoints|check)
            "_vmctl_lab_${words[1]}" && ret=0
            ;;
        esac
        ;;
    esac

    return "${ret}"
}

_vmctl_lab_up() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':plan:_files -g '\''*.yaml *.yml'\'''
        '*'{-P,--param}'[Set a plan parameter (repeatable; wins over --param-file).]:name=value:'
        '*--param-file[A YAML mapping of plan parameters to values (repeatable).]:file:_files -g '\''*.yaml *.yml'\'''
        '--require-kvm[Fail instead of falling back to qemu when KVM cannot run guests.]'
        '--max-booting[Guests booting at once per host at most (default\: one per core under TCG, all under KVM).]:max-booting:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_lab_status() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':plan:_files -g '\''*.yaml *.yml'\'''
        '*'{-P,--param}'[Set a plan parameter (repeatable; wins over --param-file).]:name=value:'
        '*--param-file[A YAML mapping of plan parameters to values (repeatable).]:file:_files -g '\''*.yaml *.yml'\'''
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_lab_down() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':lab:_files -g '\''*.yaml *.yml'\'''
        '*'{-P,--param}'[Set a plan parameter (repeatable; wins over --param-file).]:name=value:'
        '*--param-file[A YAML mapping of plan parameters to values (repeatable).]:file:_files -g '\''*.yaml *.yml'\'''
        '--keep-networks[Leave the lab'\''s networks in place.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_lab_validate() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':plan:_files -g '\''*.yaml *.yml'\'''
        '*'{-P,--param}'[Set a plan parameter (repeatable; wins over --param-file).]:name=value:'
        '*--param-file[A YAML mapping of plan parameters to values (repeatable).]:file:_files -g '\''*.yaml *.yml'\'''
        '--offline[Check the plan file only, without connecting to its hosts.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_lab_inventory() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':plan:_files -g '\''*.yaml *.yml'\'''
        '*'{-P,--param}'[Set a plan parameter (repeatable; wins over --param-file).]:name=value:'
        '*--param-file[A YAML mapping of plan parameters to values (repeatable).]:file:_files -g '\''*.yaml *.yml'\'''
        '--format[ansible (groups from roles) or kolla (kolla-ansible'\''s top groups).]:format:'
        '--multinode[A copy of kolla-ansible'\''s multinode file to edit in place (with --format kolla).]:multinode:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_lab_kolla-globals() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':plan:_files -g '\''*.yaml *.yml'\'''
        '*'{-P,--param}'[Set a plan parameter (repeatable; wins over --param-file).]:name=value:'
        '*--param-file[A YAML mapping of plan parameters to values (repeatable).]:file:_files -g '\''*.yaml *.yml'\'''
        '--management-network[The lab network whose NIC is network_interface (default\: the first NIC'\''s).]:management-network:'
        '--external-network[The lab network whose NIC is neutron_external_interface (default\: the second NIC'\''s).]:external-network:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_lab_ssh() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':plan:_files -g '\''*.yaml *.yml'\'''
        '*'{-P,--param}'[Set a plan parameter (repeatable; wins over --param-file).]:name=value:'
        '*--param-file[A YAML mapping of plan parameters to values (repeatable).]:file:_files -g '\''*.yaml *.yml'\'''
        ':node:{__vmctl_custom_complete ---completion lab ssh -- positional@1 "${current_word_index}" "$(__vmctl_cursor_index_in_current_word)"}'
        '(--user -u)'{--user,-u}'[Log in as this user (default\: the plan'\''s login.user).]:user:'
        '(-i --identity)'{-i,--identity}'[The private key (default\: the plan'\''s login.private_key).]:identity:'
        '--wait[Wait up to this many seconds for an address.]:wait:'
        '*:command:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_lab_checkpoint() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':plan:_files -g '\''*.yaml *.yml'\'''
        '*'{-P,--param}'[Set a plan parameter (repeatable; wins over --param-file).]:name=value:'
        '*--param-file[A YAML mapping of plan parameters to values (repeatable).]:file:_files -g '\''*.yaml *.yml'\'''
        ':name:'
        '--delete[Delete the checkpoint from every node instead.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_lab_revert() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':plan:_files -g '\''*.yaml *.yml'\'''
        '*'{-P,--param}'[Set a plan parameter (repeatable; wins over --param-file).]:name=value:'
        '*--param-file[A YAML mapping of plan parameters to values (repeatable).]:file:_files -g '\''*.yaml *.yml'\'''
        ':name:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_lab_checkpoints() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':plan:_files -g '\''*.yaml *.yml'\'''
        '*'{-P,--param}'[Set a plan parameter (repeatable; wins over --param-file).]:name=value:'
        '*--param-file[A YAML mapping of plan parameters to values (repeatable).]:file:_files -g '\''*.yaml *.yml'\'''
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_lab_check() {
    local -i ret=1
    local -ar ___output=('text' 'json')
    local -ar arg_specs=(
        '(-c --connect)'{-c,--connect}'[libvirt URI (default\: $LIBVIRT_DEFAULT_URI, then libvirt'\''s choice).]:connect:'
        '(-o --output)'{-o,--output}'[Output format\: text or json.]:output:{__vmctl_complete "${___output[@]}"}'
        '(--quiet -q)'{--quiet,-q}'[Print no progress lines.]'
        '(--verbose -v)'{--verbose,-v}'[Print more detail.]'
        ':plan:_files -g '\''*.yaml *.yml'\'''
        '*'{-P,--param}'[Set a plan parameter (repeatable; wins over --param-file).]:name=value:'
        '*--param-file[A YAML mapping of plan parameters to values (repeatable).]:file:_files -g '\''*.yaml *.yml'\'''
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_vmctl_help() {
    local -i ret=1
    local -ar arg_specs=(
        '*:subcommands:'
        '--version[Show the version.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

if [[ "${funcstack[1]}" = _vmctl ]]; then
    _vmctl "${@}"
else
    compdef _vmctl vmctl
fi
