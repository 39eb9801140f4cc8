#define _GNU_SOURCE
#include "CHostProbe.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/timex.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if defined(__linux__) && (defined(__x86_64__) || defined(__i386__))
#include <linux/kvm.h>
#define VMCTL_HAVE_X86_KVM 1
#endif

static int64_t vmctl_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void vmctl_result_init(vmctl_kvm_probe_result *r) {
    memset(r, 0, sizeof(*r));
    r->api_version = -1;
    r->exit_reason = -1;
    r->io_port = -1;
    r->io_byte = -1;
}

#ifdef VMCTL_HAVE_X86_KVM
/* Runs in the forked child: only async-signal-safe calls (open, ioctl, mmap, write, _exit). */
static void vmctl_kvm_child(const char *device_path, int guest, vmctl_kvm_probe_result *r) {
    /* 16-bit real mode at guest physical 0x1000:
     *   ba f8 03   mov dx, 0x3f8
     *   b0 4b      mov al, 'K'
     *   ee         out dx, al
     *   f4         hlt
     * The spinning guest (VMCTL_KVM_GUEST_SPIN) is `eb fe` (jmp $): KVM_RUN
     * never returns, which is how tests prove the deadline holds. */
    static const unsigned char halt_code[] = {0xba, 0xf8, 0x03, 0xb0, 'K', 0xee, 0xf4};
    static const unsigned char spin_code[] = {0xeb, 0xfe};
    const unsigned char *code = guest == VMCTL_KVM_GUEST_SPIN ? spin_code : halt_code;
    const size_t code_size = guest == VMCTL_KVM_GUEST_SPIN ? sizeof(spin_code) : sizeof(halt_code);
    const uint64_t guest_addr = 0x1000;
    const size_t mem_size = 0x1000;

    r->stage = VMCTL_KVM_STAGE_OPEN;
    int kvm = open(device_path, O_RDWR | O_CLOEXEC);
    if (kvm < 0) { r->err = errno; return; }

    r->stage = VMCTL_KVM_STAGE_API_VERSION;
    int api = ioctl(kvm, KVM_GET_API_VERSION, 0);
    if (api < 0) { r->err = errno; return; }
    r->api_version = api;
    if (api != KVM_API_VERSION) return;

    r->stage = VMCTL_KVM_STAGE_CREATE_VM;
    int vm = ioctl(kvm, KVM_CREATE_VM, 0UL);
    if (vm < 0) { r->err = errno; return; }

    r->stage = VMCTL_KVM_STAGE_MEMORY;
    unsigned char *mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE,
                              MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) { r->err = errno; return; }
    memcpy(mem, code, code_size);
    struct kvm_userspace_memory_region region;
    memset(&region, 0, sizeof(region));
    region.slot = 0;
    region.guest_phys_addr = guest_addr;
    region.memory_size = mem_size;
    region.userspace_addr = (uint64_t)(uintptr_t)mem;
    if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0) { r->err = errno; return; }

    r->stage = VMCTL_KVM_STAGE_CREATE_VCPU;
    int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0UL);
    if (vcpu < 0) { r->err = errno; return; }

    r->stage = VMCTL_KVM_STAGE_MMAP_RUN;
    int run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (run_size < (int)sizeof(struct kvm_run)) { r->err = run_size < 0 ? errno : EINVAL; return; }
    struct kvm_run *run = mmap(NULL, (size_t)run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
    if (run == MAP_FAILED) { r->err = errno; return; }

    r->stage = VMCTL_KVM_STAGE_REGS;
    struct kvm_sregs sregs;
    if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0) { r->err = errno; return; }
    sregs.cs.base = 0;
    sregs.cs.selector = 0;
    if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0) { r->err = errno; return; }
    struct kvm_regs regs;
    memset(&regs, 0, sizeof(regs));
    regs.rip = guest_addr;
    regs.rflags = 0x2; /* bit 1 is reserved and must be set */
    if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0) { r->err = errno; return; }

    r->stage = VMCTL_KVM_STAGE_RUN_IO;
    if (ioctl(vcpu, KVM_RUN, 0) < 0) { r->err = errno; return; }
    r->exit_reason = (int32_t)run->exit_reason;
    if (run->exit_reason != KVM_EXIT_IO) return;
    r->io_port = run->io.port;
    if (run->io.direction != KVM_EXIT_IO_OUT || run->io.size != 1 || run->io.count != 1) return;
    r->io_byte = ((unsigned char *)run)[run->io.data_offset];
    if (r->io_port != 0x3f8 || r->io_byte != 'K') return;

    r->stage = VMCTL_KVM_STAGE_RUN_HLT;
    if (ioctl(vcpu, KVM_RUN, 0) < 0) { r->err = errno; return; }
    r->exit_reason = (int32_t)run->exit_reason;
    if (run->exit_reason != KVM_EXIT_HLT) return;

    r->stage = VMCTL_KVM_STAGE_DONE;
    r->ok = 1;
}
#endif

int vmctl_kvm_probe(const char *device_path, int timeout_ms, vmctl_kvm_probe_result *out) {
    return vmctl_kvm_probe_guest(device_path, timeout_ms, VMCTL_KVM_GUEST_HALT, out);
}

int vmctl_kvm_probe_guest(const char *device_path, int timeout_ms, int guest, vmctl_kvm_probe_result *out) {
    if (device_path == NULL || out == NULL || timeout_ms < 0) return -1;
    vmctl_result_init(out);
    int64_t start = vmctl_now_ms();

#ifndef VMCTL_HAVE_X86_KVM
    (void)timeout_ms;
    (void)guest;
    out->stage = VMCTL_KVM_STAGE_SETUP;
    out->err = ENOSYS;
    return 0;
#else
    /* The child records its progress in a shared page, so that a child killed
     * at the deadline still tells which stage hung (typically KVM_RUN). */
    vmctl_kvm_probe_result *shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
                                          MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED) {
        out->stage = VMCTL_KVM_STAGE_SETUP;
        out->err = errno;
        return 0;
    }
    vmctl_result_init(shared);
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0) {
        out->stage = VMCTL_KVM_STAGE_SETUP;
        out->err = errno;
        munmap(shared, sizeof(*shared));
        return 0;
    }
    pid_t pid = fork();
    if (pid < 0) {
        out->stage = VMCTL_KVM_STAGE_SETUP;
        out->err = errno;
        close(fds[0]);
        close(fds[1]);
        munmap(shared, sizeof(*shared));
        return 0;
    }
    if (pid == 0) {
        close(fds[0]);
        vmctl_kvm_child(device_path, guest, shared);
        char done = 1;
        ssize_t n = write(fds[1], &done, 1);
        _exit(n == 1 ? 0 : 1);
    }
    close(fds[1]);

    int answered = 0;
    int timed_out = 0;
    for (;;) {
        int64_t left = (int64_t)timeout_ms - (vmctl_now_ms() - start);
        if (left <= 0) { timed_out = 1; break; }
        struct pollfd pfd = {.fd = fds[0], .events = POLLIN};
        int pr = poll(&pfd, 1, (int)left);
        if (pr < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (pr == 0) { timed_out = 1; break; }
        char done = 0;
        ssize_t n = read(fds[0], &done, 1);
        if (n < 0 && errno == EINTR) continue;
        answered = (n == 1);
        break; /* answer, or EOF because the child died */
    }
    close(fds[0]);

    if (!answered) kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}

    *out = *shared;
    munmap(shared, sizeof(*shared));
    if (!answered) {
        out->ok = 0;
        out->timed_out = timed_out;
        if (WIFSIGNALED(status)) out->child_signal = WTERMSIG(status);
    }
    out->elapsed_ms = vmctl_now_ms() - start;
    return 0;
#endif
}

int vmctl_clock_read(vmctl_clock_status *out) {
    if (out == NULL) { errno = EINVAL; return -1; }
    memset(out, 0, sizeof(*out));
    struct timex tx;
    memset(&tx, 0, sizeof(tx));
    tx.modes = 0; /* read only */
    int state = adjtimex(&tx);
    if (state < 0) return -1;
    out->state = state;
    out->status = tx.status;
    out->maxerror = tx.maxerror;
    out->esterror = tx.esterror;
    out->synced = (state != TIME_ERROR && (tx.status & STA_UNSYNC) == 0) ? 1 : 0;
    return 0;
}
