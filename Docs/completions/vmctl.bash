#!/bin/bash

__vmctl_cursor_index_in_current_word() {
    local remaining="${COMP_LINE}"

    local word
    for word in "${COMP_WORDS[@]::COMP_CWORD}"; do
        remaining="${remaining##*([[:space:]])"${word}"*([[:space:]])}"
    done

    local -ir index="$((COMP_POINT - ${#COMP_LINE} + ${#remaining}))"
    if [[ "${index}" -le 0 ]]; then
        printf 0
    else
        printf %s "${index}"
    fi
}

# positional arguments:
#
# - 1: the current (sub)command's count of positional arguments
#
# required variables:
#
# - repeating_flags: the repeating flags that the current (sub)command can accept
# - non_repeating_flags: the non-repeating flags that the current (sub)command can accept
# - repeating_options: the repeating options that the current (sub)command can accept
# - non_repeating_options: the non-repeating options that the current (sub)command can accept
# - positional_number: value ignored
# - unparsed_words: unparsed words from the current command line
#
# modified variables:
#
# - non_repeating_flags: remove flags for this (sub)command that are already on the command line
# - non_repeating_options: remove options for this (sub)command that are already on the command line
# - positional_number: set to the current positional number
# - unparsed_words: remove all flags, options, and option values for this (sub)command
__vmctl_offer_flags_options() {
    local -ir positional_count="${1}"
    positional_number=0

    local was_flag_option_terminator_seen=false
    local is_parsing_option_value=false

    local -ar unparsed_word_indices=("${!unparsed_words[@]}")
    local -i word_index
    for word_index in "${unparsed_word_indices[@]}"; do
        if "${is_parsing_option_value}"; then
            # This word is an option value:
            # Reset marker for next word iff not currently the last word
            [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]] && is_parsing_option_value=false
            unset "unparsed_words[${word_index}]"
            # Do not process this word as a flag or an option
            continue
        fi

        local word="${unparsed_words["${word_index}"]}"
        if ! "${was_flag_option_terminator_seen}"; then
            case "${word}" in
            --)
                unset "unparsed_words[${word_index}]"
                # by itself -- is a flag/option terminator, but if it is the last word, it is the start of a completion
                if [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]]; then
                    was_flag_option_terminator_seen=true
                fi
                continue
                ;;
            -*)
                # ${word} is a flag or an option
                # If ${word} is an option, mark that the next word to be parsed is an option value
                local option
                for option in "${repeating_options[@]}" "${non_repeating_options[@]}"; do
                    [[ "${word}" = "${option}" ]] && is_parsing_option_value=true && break
                done

                # Remove ${word} from ${non_repeating_flags} or ${non_repeating_options} so it isn't offered again
                local not_found=true
                local -i index
                for index in "${!non_repeating_flags[@]}"; do
                    if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                        unset "non_repeating_flags[${index}]"
                        non_repeating_flags=("${non_repeating_flags[@]}")
                        not_found=false
                        break
                    fi
                done
                if "${not_found}"; then
                    for index in "${!non_repeating_flags[@]}"; do
                        if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                            unset "non_repeating_flags[${index}]"
                            non_repeating_flags=("${non_repeating_flags[@]}")
                            break
                        fi
                    done
                fi
                unset "unparsed_words[${word_index}]"
                continue
                ;;
            esac
        fi

        # ${word} is neither a flag, nor an option, nor an option value
        if [[ "${positional_number}" -lt "${positional_count}" || "${positional_count}" -lt 0 ]]; then
            # ${word} is a positional
            ((positional_number++))
            unset "unparsed_words[${word_index}]"
        else
            if [[ -z "${word}" ]]; then
                # Could be completing a flag, option, or subcommand
                positional_number=-1
            else
                # ${word} is a subcommand or invalid, so stop processing this (sub)command
                positional_number=-2
            fi
            break
        fi
    done

    unparsed_words=("${unparsed_words[@]}")

    if\
        ! "${was_flag_option_terminator_seen}"\
        && ! "${is_parsing_option_value}"\
        && [[ ("${cur}" = -* && "${positional_number}" -ge 0) || "${positional_number}" -eq -1 ]]
    then
        COMPREPLY+=($(compgen -W "${repeating_flags[*]} ${non_repeating_flags[*]} ${repeating_options[*]} ${non_repeating_options[*]}" -- "${cur}"))
    fi
}

__vmctl_add_completions() {
    local completion
    while IFS='' read -r completion; do
        COMPREPLY+=("${completion}")
    done < <(IFS=$'\n' compgen "${@}" -- "${cur}")
}

__vmctl_custom_complete() {
    if [[ -n "${cur}" || -z ${COMP_WORDS[${COMP_CWORD}]} || "${COMP_LINE:${COMP_POINT}:1}" != ' ' ]]; then
        local -ar words=("${COMP_WORDS[@]}")
    else
        local -ar words=("${COMP_WORDS[@]::${COMP_CWORD}}" '' "${COMP_WORDS[@]:${COMP_CWORD}}")
    fi

    "${COMP_WORDS[0]}" "${@}" "${words[@]}"
}

_vmctl() {
    local state
    state="$(shopt -p;shopt -po)"
    trap "${state//$'\n'/;}" RETURN
    shopt -s extglob
    set +o history +o posix

    local -xr SAP_SHELL=bash
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(IFS='.';printf %s "${BASH_VERSINFO[*]}")"
    local -r SAP_SHELL_VERSION

    local -r cur="${2}"
    local -r prev="${3}"

    local -i positional_number
    local -a unparsed_words=("${COMP_WORDS[@]:1:${COMP_CWORD}}")

    local -a repeating_flags=()
    local -a non_repeating_flags=(--quiet -q --verbose -v --version -h --help)
    local -a repeating_options=()
    local -a non_repeating_options=(-c --connect -o --output)
    __vmctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    version|host|vm|snapshot|net|pool|vol|image|lab|help)
        # Offer subcommand argument completions
        "_vmctl_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'version host vm snapshot net pool vol image lab help' -- "${cur}"))
        ;;
    esac
}

_vmctl_version() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --local --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output)
    __vmctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac
}

_vmctl_host() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __vmctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    check)
        # Offer subcommand argument completions
        "_vmctl_host_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'check' -- "${cur}"))
        ;;
    esac
}

_vmctl_host_check() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --no-probes --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output --root)
    __vmctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    '--root')
        return
        ;;
    esac
}

_vmctl_vm() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __vmctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    create|clone|list|show|ip|ssh|scp|xml|console|start|stop|restart|destroy|delete|define|undefine|suspend|resume|attach-disk|detach-disk|attach-nic|detach-nic|set|autostart|edit|rename)
        # Offer subcommand argument completions
        "_vmctl_vm_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'create clone list show ip ssh scp xml console start stop restart destroy delete define undefine suspend resume attach-disk detach-disk attach-nic detach-nic set autostart edit rename' -- "${cur}"))
        ;;
    esac
}

_vmctl_vm_create() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --full --nested --autostart --start --require-kvm --dry-run --version -h --help)
    repeating_options=(--network --disk --ssh-key)
    non_repeating_options=(-c --connect -o --output --image --disk-size --cdrom --kernel --initrd --cmdline --memory --vcpus --cpu --firmware --pool --wait-ip --wait --wait-timeout --type --serial-file --graphics --lab --role --cloud-init --hostname --password --login-user --ssh-private-key)
    __vmctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    '--image')
        return
        ;;
    '--disk-size')
        return
        ;;
    '--cdrom')
        return
        ;;
    '--kernel')
        return
        ;;
    '--initrd')
        return
        ;;
    '--cmdline')
        return
        ;;
    '--memory')
        return
        ;;
    '--vcpus')
        return
        ;;
    '--cpu')
        return
        ;;
    '--firmware')
        __vmctl_add_completions -W 'bios'$'\n''uefi'
        return
        ;;
    '--network')
        return
        ;;
    '--disk')
        return
        ;;
    '--pool')
        return
        ;;
    '--wait-ip')
        return
        ;;
    '--wait')
        return
        ;;
    '--wait-timeout')
        return
        ;;
    '--type')
        return
        ;;
    '--serial-file')
        return
        ;;
    '--graphics')
        return
        ;;
    '--lab')
        return
        ;;
    '--role')
        return
        ;;
    '--cloud-init')
        return
        ;;
    '--hostname')
        return
        ;;
    '--ssh-key')
        return
        ;;
    '--password')
        return
        ;;
    '--login-user')
        return
        ;;
    '--ssh-private-key')
        return
        ;;
    esac
}

_vmctl_vm_clone() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --linked --full --suspend-source --start --keep-identity --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output --count --wait --wait-timeout)
    __vmctl_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    '--count')
        return
        ;;
    '--wait')
        return
        ;;
    '--wait-timeout')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -W "$(__vmctl_custom_complete ---completion vm clone -- positional@0 "${COMP_CWORD}" "$(__vmctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_vmctl_vm_list() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output --state --name --lab)
    __vmctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    '--state')
        __vmctl_add_completions -W 'all'$'\n''running'$'\n''paused'$'\n''shut-off'
        return
        ;;
    '--name')
        return
        ;;
    '--lab')
        return
        ;;
    esac
}

_vmctl_vm_show() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output)
    __vmctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -W "$(__vmctl_custom_complete ---completion vm show -- positional@0 "${COMP_CWORD}" "$(__vmctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_vmctl_vm_ip() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output --wait)
    __vmctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    '--wait')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -W "$(__vmctl_custom_complete ---completion vm ip -- positional@0 "${COMP_CWORD}" "$(__vmctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_vmctl_vm_ssh() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output --user -u -i --identity --wait)
    __vmctl_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    '--user'|'-u')
        return
        ;;
    '-i'|'--identity')
        return
        ;;
    '--wait')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -W "$(__vmctl_custom_complete ---completion vm ssh -- positional@0 "${COMP_CWORD}" "$(__vmctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_vmctl_vm_scp() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --recursive -r --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output --user -u -i --identity --wait)
    __vmctl_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    '--user'|'-u')
        return
        ;;
    '-i'|'--identity')
        return
        ;;
    '--wait')
        return
        ;;
    esac
}

_vmctl_vm_xml() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --inactive --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output)
    __vmctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -W "$(__vmctl_custom_complete ---completion vm xml -- positional@0 "${COMP_CWORD}" "$(__vmctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_vmctl_vm_console() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output --read)
    __vmctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    '--read')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -W "$(__vmctl_custom_complete ---completion vm console -- positional@0 "${COMP_CWORD}" "$(__vmctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_vmctl_vm_start() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output --wait --wait-timeout)
    __vmctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    '--wait')
        return
        ;;
    '--wait-timeout')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -W "$(__vmctl_custom_complete ---completion vm start -- positional@0 "${COMP_CWORD}" "$(__vmctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_vmctl_vm_stop() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --force --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output --timeout)
    __vmctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    '--timeout')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -W "$(__vmctl_custom_complete ---completion vm stop -- positional@0 "${COMP_CWORD}" "$(__vmctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_vmctl_vm_restart() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --force --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output --timeout)
    __vmctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    '--timeout')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -W "$(__vmctl_custom_complete ---completion vm restart -- positional@0 "${COMP_CWORD}" "$(__vmctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_vmctl_vm_destroy() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output)
    __vmctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -W "$(__vmctl_custom_complete ---completion vm destroy -- positional@0 "${COMP_CWORD}" "$(__vmctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_vmctl_vm_delete() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --force --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output)
    __vmctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -W "$(__vmctl_custom_complete ---completion vm delete -- positional@0 "${COMP_CWORD}" "$(__vmctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_vmctl_vm_define() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output)
    __vmctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac
}

_vmctl_vm_undefine() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output)
    __vmctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -W "$(__vmctl_custom_complete ---completion vm undefine -- positional@0 "${COMP_CWORD}" "$(__vmctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_vmctl_vm_suspend() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output)
    __vmctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -W "$(__vmctl_custom_complete ---completion vm suspend -- positional@0 "${COMP_CWORD}" "$(__vmctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_vmctl_vm_resume() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output)
    __vmctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -W "$(__vmctl_custom_complete ---completion vm resume -- positional@0 "${COMP_CWORD}" "$(__vmctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_vmctl_vm_attach-disk() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --readonly --live --config --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output --source --size --pool --target)
    __vmctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    '--source')
        return
        ;;
    '--size')
        return
        ;;
    '--pool')
        return
        ;;
    '--target')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -W "$(__vmctl_custom_complete ---completion vm attach-disk -- positional@0 "${COMP_CWORD}" "$(__vmctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_vmctl_vm_detach-disk() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --live --config --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output)
    __vmctl_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -W "$(__vmctl_custom_complete ---completion vm detach-disk -- positional@0 "${COMP_CWORD}" "$(__vmctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_vmctl_vm_attach-nic() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --live --config --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output --network)
    __vmctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    '--network')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -W "$(__vmctl_custom_complete ---completion vm attach-nic -- positional@0 "${COMP_CWORD}" "$(__vmctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_vmctl_vm_detach-nic() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --live --config --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output)
    __vmctl_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -W "$(__vmctl_custom_complete ---completion vm detach-nic -- positional@0 "${COMP_CWORD}" "$(__vmctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_vmctl_vm_set() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --live --config --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output --memory --vcpus)
    __vmctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    '--memory')
        return
        ;;
    '--vcpus')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -W "$(__vmctl_custom_complete ---completion vm set -- positional@0 "${COMP_CWORD}" "$(__vmctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_vmctl_vm_autostart() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --disable --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output)
    __vmctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -W "$(__vmctl_custom_complete ---completion vm autostart -- positional@0 "${COMP_CWORD}" "$(__vmctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_vmctl_vm_edit() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output)
    __vmctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -W "$(__vmctl_custom_complete ---completion vm edit -- positional@0 "${COMP_CWORD}" "$(__vmctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_vmctl_vm_rename() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output)
    __vmctl_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -W "$(__vmctl_custom_complete ---completion vm rename -- positional@0 "${COMP_CWORD}" "$(__vmctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_vmctl_snapshot() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __vmctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    create|list|revert|delete)
        # Offer subcommand argument completions
        "_vmctl_snapshot_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'create list revert delete' -- "${cur}"))
        ;;
    esac
}

_vmctl_snapshot_create() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output --description)
    __vmctl_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    '--description')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -W "$(__vmctl_custom_complete ---completion snapshot create -- positional@0 "${COMP_CWORD}" "$(__vmctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_vmctl_snapshot_list() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output)
    __vmctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -W "$(__vmctl_custom_complete ---completion snapshot list -- positional@0 "${COMP_CWORD}" "$(__vmctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_vmctl_snapshot_revert() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output)
    __vmctl_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -W "$(__vmctl_custom_complete ---completion snapshot revert -- positional@0 "${COMP_CWORD}" "$(__vmctl_cursor_index_in_current_word)")"
        return
        ;;
    2)
        __vmctl_add_completions -W "$(__vmctl_custom_complete ---completion snapshot revert -- positional@1 "${COMP_CWORD}" "$(__vmctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_vmctl_snapshot_delete() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output)
    __vmctl_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -W "$(__vmctl_custom_complete ---completion snapshot delete -- positional@0 "${COMP_CWORD}" "$(__vmctl_cursor_index_in_current_word)")"
        return
        ;;
    2)
        __vmctl_add_completions -W "$(__vmctl_custom_complete ---completion snapshot delete -- positional@1 "${COMP_CWORD}" "$(__vmctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_vmctl_net() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __vmctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    create|list|show|start|stop|delete|leases|reserve|unreserve)
        # Offer subcommand argument completions
        "_vmctl_net_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'create list show start stop delete leases reserve unreserve' -- "${cur}"))
        ;;
    esac
}

_vmctl_net_create() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --no-dhcp --autostart --no-start --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output --mode --subnet --dhcp-range --bridge --domain)
    __vmctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    '--mode')
        __vmctl_add_completions -W 'nat'$'\n''isolated'$'\n''bridge'$'\n''route'$'\n''open'
        return
        ;;
    '--subnet')
        return
        ;;
    '--dhcp-range')
        return
        ;;
    '--bridge')
        return
        ;;
    '--domain')
        return
        ;;
    esac
}

_vmctl_net_list() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output)
    __vmctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac
}

_vmctl_net_show() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output)
    __vmctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -W "$(__vmctl_custom_complete ---completion net show -- positional@0 "${COMP_CWORD}" "$(__vmctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_vmctl_net_start() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output)
    __vmctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -W "$(__vmctl_custom_complete ---completion net start -- positional@0 "${COMP_CWORD}" "$(__vmctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_vmctl_net_stop() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output)
    __vmctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -W "$(__vmctl_custom_complete ---completion net stop -- positional@0 "${COMP_CWORD}" "$(__vmctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_vmctl_net_delete() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --force --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output)
    __vmctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -W "$(__vmctl_custom_complete ---completion net delete -- positional@0 "${COMP_CWORD}" "$(__vmctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_vmctl_net_leases() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output)
    __vmctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -W "$(__vmctl_custom_complete ---completion net leases -- positional@0 "${COMP_CWORD}" "$(__vmctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_vmctl_net_reserve() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output --mac --ip --host)
    __vmctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    '--mac')
        return
        ;;
    '--ip')
        return
        ;;
    '--host')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -W "$(__vmctl_custom_complete ---completion net reserve -- positional@0 "${COMP_CWORD}" "$(__vmctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_vmctl_net_unreserve() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output --mac)
    __vmctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    '--mac')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -W "$(__vmctl_custom_complete ---completion net unreserve -- positional@0 "${COMP_CWORD}" "$(__vmctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_vmctl_pool() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __vmctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    create|list|show|start|stop|refresh|delete)
        # Offer subcommand argument completions
        "_vmctl_pool_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'create list show start stop refresh delete' -- "${cur}"))
        ;;
    esac
}

_vmctl_pool_create() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --autostart --no-start --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output --type --target --source-dev --source-host --source-path --source-name)
    __vmctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    '--type')
        __vmctl_add_completions -W 'dir'$'\n''fs'$'\n''netfs'$'\n''logical'
        return
        ;;
    '--target')
        return
        ;;
    '--source-dev')
        return
        ;;
    '--source-host')
        return
        ;;
    '--source-path')
        return
        ;;
    '--source-name')
        return
        ;;
    esac
}

_vmctl_pool_list() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output)
    __vmctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac
}

_vmctl_pool_show() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output)
    __vmctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -W "$(__vmctl_custom_complete ---completion pool show -- positional@0 "${COMP_CWORD}" "$(__vmctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_vmctl_pool_start() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output)
    __vmctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -W "$(__vmctl_custom_complete ---completion pool start -- positional@0 "${COMP_CWORD}" "$(__vmctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_vmctl_pool_stop() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output)
    __vmctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -W "$(__vmctl_custom_complete ---completion pool stop -- positional@0 "${COMP_CWORD}" "$(__vmctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_vmctl_pool_refresh() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output)
    __vmctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -W "$(__vmctl_custom_complete ---completion pool refresh -- positional@0 "${COMP_CWORD}" "$(__vmctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_vmctl_pool_delete() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --delete-data --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output)
    __vmctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -W "$(__vmctl_custom_complete ---completion pool delete -- positional@0 "${COMP_CWORD}" "$(__vmctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_vmctl_vol() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __vmctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    create|list|delete|clone|resize|import)
        # Offer subcommand argument completions
        "_vmctl_vol_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'create list delete clone resize import' -- "${cur}"))
        ;;
    esac
}

_vmctl_vol_create() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output --size --format --backing)
    __vmctl_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    '--size')
        return
        ;;
    '--format')
        return
        ;;
    '--backing')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -W "$(__vmctl_custom_complete ---completion vol create -- positional@0 "${COMP_CWORD}" "$(__vmctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_vmctl_vol_list() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output)
    __vmctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -W "$(__vmctl_custom_complete ---completion vol list -- positional@0 "${COMP_CWORD}" "$(__vmctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_vmctl_vol_delete() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --force --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output)
    __vmctl_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -W "$(__vmctl_custom_complete ---completion vol delete -- positional@0 "${COMP_CWORD}" "$(__vmctl_cursor_index_in_current_word)")"
        return
        ;;
    2)
        __vmctl_add_completions -W "$(__vmctl_custom_complete ---completion vol delete -- positional@1 "${COMP_CWORD}" "$(__vmctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_vmctl_vol_clone() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output)
    __vmctl_offer_flags_options 3

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -W "$(__vmctl_custom_complete ---completion vol clone -- positional@0 "${COMP_CWORD}" "$(__vmctl_cursor_index_in_current_word)")"
        return
        ;;
    2)
        __vmctl_add_completions -W "$(__vmctl_custom_complete ---completion vol clone -- positional@1 "${COMP_CWORD}" "$(__vmctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_vmctl_vol_resize() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --shrink --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output)
    __vmctl_offer_flags_options 3

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -W "$(__vmctl_custom_complete ---completion vol resize -- positional@0 "${COMP_CWORD}" "$(__vmctl_cursor_index_in_current_word)")"
        return
        ;;
    2)
        __vmctl_add_completions -W "$(__vmctl_custom_complete ---completion vol resize -- positional@1 "${COMP_CWORD}" "$(__vmctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_vmctl_vol_import() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output --name --format)
    __vmctl_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    '--name')
        return
        ;;
    '--format')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -W "$(__vmctl_custom_complete ---completion vol import -- positional@0 "${COMP_CWORD}" "$(__vmctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_vmctl_image() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __vmctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    fetch|list|prune)
        # Offer subcommand argument completions
        "_vmctl_image_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'fetch list prune' -- "${cur}"))
        ;;
    esac
}

_vmctl_image_fetch() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --insecure-checksums --version -h --help)
    repeating_options=(--keyring)
    non_repeating_options=(-c --connect -o --output --pool --name --checksum --timeout)
    __vmctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    '--pool')
        return
        ;;
    '--name')
        return
        ;;
    '--checksum')
        return
        ;;
    '--timeout')
        return
        ;;
    '--keyring')
        return
        ;;
    esac
}

_vmctl_image_list() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output --pool)
    __vmctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    '--pool')
        return
        ;;
    esac
}

_vmctl_image_prune() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --dry-run --version -h --help)
    repeating_options=()
    non_repeating_options=(-c --connect -o --output)
    __vmctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac
}

_vmctl_lab() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __vmctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    up|status|down|validate|inventory|kolla-globals|ssh|checkpoint|revert|checkpoints|check)
        # Offer subcommand argument completions
        "_vmctl_lab_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'up status down validate inventory kolla-globals ssh checkpoint revert checkpoints check' -- "${cur}"))
        ;;
    esac
}

_vmctl_lab_up() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --require-kvm --version -h --help)
    repeating_options=(-P --param --param-file)
    non_repeating_options=(-c --connect -o --output --max-booting)
    __vmctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    '-P'|'--param')
        return
        ;;
    '--param-file')
        __vmctl_add_completions -o plusdirs -fX '!*.@(yaml|yml)'
        return
        ;;
    '--max-booting')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -o plusdirs -fX '!*.@(yaml|yml)'
        return
        ;;
    esac
}

_vmctl_lab_status() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --version -h --help)
    repeating_options=(-P --param --param-file)
    non_repeating_options=(-c --connect -o --output)
    __vmctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    '-P'|'--param')
        return
        ;;
    '--param-file')
        __vmctl_add_completions -o plusdirs -fX '!*.@(yaml|yml)'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -o plusdirs -fX '!*.@(yaml|yml)'
        return
        ;;
    esac
}

_vmctl_lab_down() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --keep-networks --version -h --help)
    repeating_options=(-P --param --param-file)
    non_repeating_options=(-c --connect -o --output)
    __vmctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    '-P'|'--param')
        return
        ;;
    '--param-file')
        __vmctl_add_completions -o plusdirs -fX '!*.@(yaml|yml)'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -o plusdirs -fX '!*.@(yaml|yml)'
        return
        ;;
    esac
}

_vmctl_lab_validate() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --offline --version -h --help)
    repeating_options=(-P --param --param-file)
    non_repeating_options=(-c --connect -o --output)
    __vmctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    '-P'|'--param')
        return
        ;;
    '--param-file')
        __vmctl_add_completions -o plusdirs -fX '!*.@(yaml|yml)'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -o plusdirs -fX '!*.@(yaml|yml)'
        return
        ;;
    esac
}

_vmctl_lab_inventory() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --version -h --help)
    repeating_options=(-P --param --param-file)
    non_repeating_options=(-c --connect -o --output --format --multinode)
    __vmctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    '-P'|'--param')
        return
        ;;
    '--param-file')
        __vmctl_add_completions -o plusdirs -fX '!*.@(yaml|yml)'
        return
        ;;
    '--format')
        return
        ;;
    '--multinode')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -o plusdirs -fX '!*.@(yaml|yml)'
        return
        ;;
    esac
}

_vmctl_lab_kolla-globals() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --version -h --help)
    repeating_options=(-P --param --param-file)
    non_repeating_options=(-c --connect -o --output --management-network --external-network)
    __vmctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    '-P'|'--param')
        return
        ;;
    '--param-file')
        __vmctl_add_completions -o plusdirs -fX '!*.@(yaml|yml)'
        return
        ;;
    '--management-network')
        return
        ;;
    '--external-network')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -o plusdirs -fX '!*.@(yaml|yml)'
        return
        ;;
    esac
}

_vmctl_lab_ssh() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --version -h --help)
    repeating_options=(-P --param --param-file)
    non_repeating_options=(-c --connect -o --output --user -u -i --identity --wait)
    __vmctl_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    '-P'|'--param')
        return
        ;;
    '--param-file')
        __vmctl_add_completions -o plusdirs -fX '!*.@(yaml|yml)'
        return
        ;;
    '--user'|'-u')
        return
        ;;
    '-i'|'--identity')
        return
        ;;
    '--wait')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -o plusdirs -fX '!*.@(yaml|yml)'
        return
        ;;
    2)
        __vmctl_add_completions -W "$(__vmctl_custom_complete ---completion lab ssh -- positional@1 "${COMP_CWORD}" "$(__vmctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_vmctl_lab_checkpoint() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --delete --version -h --help)
    repeating_options=(-P --param --param-file)
    non_repeating_options=(-c --connect -o --output)
    __vmctl_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    '-P'|'--param')
        return
        ;;
    '--param-file')
        __vmctl_add_completions -o plusdirs -fX '!*.@(yaml|yml)'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -o plusdirs -fX '!*.@(yaml|yml)'
        return
        ;;
    esac
}

_vmctl_lab_revert() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --version -h --help)
    repeating_options=(-P --param --param-file)
    non_repeating_options=(-c --connect -o --output)
    __vmctl_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    '-P'|'--param')
        return
        ;;
    '--param-file')
        __vmctl_add_completions -o plusdirs -fX '!*.@(yaml|yml)'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -o plusdirs -fX '!*.@(yaml|yml)'
        return
        ;;
    esac
}

_vmctl_lab_checkpoints() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --version -h --help)
    repeating_options=(-P --param --param-file)
    non_repeating_options=(-c --connect -o --output)
    __vmctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    '-P'|'--param')
        return
        ;;
    '--param-file')
        __vmctl_add_completions -o plusdirs -fX '!*.@(yaml|yml)'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -o plusdirs -fX '!*.@(yaml|yml)'
        return
        ;;
    esac
}

_vmctl_lab_check() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --verbose -v --version -h --help)
    repeating_options=(-P --param --param-file)
    non_repeating_options=(-c --connect -o --output)
    __vmctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connect')
        return
        ;;
    '-o'|'--output')
        __vmctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    '-P'|'--param')
        return
        ;;
    '--param-file')
        __vmctl_add_completions -o plusdirs -fX '!*.@(yaml|yml)'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __vmctl_add_completions -o plusdirs -fX '!*.@(yaml|yml)'
        return
        ;;
    esac
}

_vmctl_help() {
    repeating_flags=()
    non_repeating_flags=(--version)
    repeating_options=()
    non_repeating_options=()
    __vmctl_offer_flags_options -1
}

complete -o filenames -F _vmctl vmctl
