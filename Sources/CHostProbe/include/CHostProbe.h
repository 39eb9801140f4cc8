#pragma once
/*
 * Small C helpers for HostCheck: what Swift cannot call directly.
 *  - ioctl(2) is variadic, so the KVM probe lives here.
 *  - struct timex has anonymous bit-field padding, so adjtimex(2) is wrapped.
 * Every symbol is prefixed vmctl_.
 */
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Stages of the kernel-level KVM probe, in the order the child walks them.
 * On failure, `stage` is the stage that failed; on success it is VMCTL_KVM_STAGE_DONE. */
typedef enum {
    VMCTL_KVM_STAGE_SETUP = 0,       /* pipe/fork in the parent */
    VMCTL_KVM_STAGE_OPEN = 1,        /* open(/dev/kvm, O_RDWR) */
    VMCTL_KVM_STAGE_API_VERSION = 2, /* KVM_GET_API_VERSION == 12 */
    VMCTL_KVM_STAGE_CREATE_VM = 3,   /* KVM_CREATE_VM */
    VMCTL_KVM_STAGE_MEMORY = 4,      /* mmap guest memory + KVM_SET_USER_MEMORY_REGION */
    VMCTL_KVM_STAGE_CREATE_VCPU = 5, /* KVM_CREATE_VCPU */
    VMCTL_KVM_STAGE_MMAP_RUN = 6,    /* KVM_GET_VCPU_MMAP_SIZE + mmap(kvm_run) */
    VMCTL_KVM_STAGE_REGS = 7,        /* KVM_GET_SREGS/KVM_SET_SREGS/KVM_SET_REGS */
    VMCTL_KVM_STAGE_RUN_IO = 8,      /* first KVM_RUN: expect KVM_EXIT_IO out 0x3f8 */
    VMCTL_KVM_STAGE_RUN_HLT = 9,     /* second KVM_RUN: expect KVM_EXIT_HLT */
    VMCTL_KVM_STAGE_DONE = 10
} vmctl_kvm_stage;

typedef struct {
    int32_t ok;            /* 1 when the guest did the port write and then halted */
    int32_t stage;         /* vmctl_kvm_stage reached (failed stage when ok == 0) */
    int32_t err;           /* errno of the failing call, 0 if none */
    int32_t api_version;   /* KVM_GET_API_VERSION, -1 if not reached */
    int32_t exit_reason;   /* kvm_run->exit_reason of the last KVM_RUN, -1 if not reached */
    int32_t io_port;       /* port of the KVM_EXIT_IO, -1 if none */
    int32_t io_byte;       /* byte written by the guest, -1 if none */
    int32_t timed_out;     /* 1 when the child missed the deadline and was killed */
    int32_t child_signal;  /* signal that ended the child, 0 if it exited */
    int64_t elapsed_ms;    /* wall time of the whole probe */
} vmctl_kvm_probe_result;

/* Runs the kernel-level KVM probe in a forked child and waits at most
 * timeout_ms for it; a child that has not answered by then is killed with
 * SIGKILL and reaped. Never blocks past the deadline (plus reaping).
 * The guest is 16-bit real-mode code: mov dx,0x3f8; mov al,'K'; out dx,al; hlt.
 * Returns 0 when the probe ran (see out->ok), -1 on bad arguments. */
int vmctl_kvm_probe(const char *device_path, int timeout_ms, vmctl_kvm_probe_result *out);

/* Guest programs for vmctl_kvm_probe_guest. */
enum {
    VMCTL_KVM_GUEST_HALT = 0, /* out 0x3f8,'K'; hlt — what vmctl_kvm_probe runs */
    VMCTL_KVM_GUEST_SPIN = 1  /* jmp $ — never exits; for testing the deadline */
};

/* vmctl_kvm_probe with a chosen guest program. */
int vmctl_kvm_probe_guest(const char *device_path, int timeout_ms, int guest, vmctl_kvm_probe_result *out);

typedef struct {
    int32_t state;      /* adjtimex return: TIME_OK (0) .. TIME_ERROR (5) */
    int32_t status;     /* timex.status bits (STA_UNSYNC = 0x40) */
    int64_t maxerror;   /* microseconds */
    int64_t esterror;   /* microseconds */
    int32_t synced;     /* 1 when state != TIME_ERROR and STA_UNSYNC is clear */
} vmctl_clock_status;

/* Reads the kernel's NTP status without changing it (adjtimex with modes = 0).
 * Returns 0 on success, -1 with errno set on failure. */
int vmctl_clock_read(vmctl_clock_status *out);

#ifdef __cplusplus
}
#endif
