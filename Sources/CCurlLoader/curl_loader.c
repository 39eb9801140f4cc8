#include "CCurlLoader.h"
#include "curl_abi.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct vmctl_curl {
    void *library;
    const char *name;
    curl_global_init_fn global_init;
    curl_easy_init_fn easy_init;
    curl_easy_cleanup_fn easy_cleanup;
    curl_easy_setopt_fn easy_setopt;
    curl_easy_getinfo_fn easy_getinfo;
    curl_easy_perform_fn easy_perform;
    curl_easy_strerror_fn easy_strerror;
    curl_slist_append_fn slist_append;
    curl_slist_free_all_fn slist_free_all;
    curl_version_fn version;
};

struct vmctl_curl_easy {
    const vmctl_curl *curl;
    CURL *handle;
    struct curl_slist *headers;
    char error[VMCTL_CURL_ERROR_SIZE];
};

/* Appends "text" to `why` ("; " between reasons), never past its end. */
static void add_reason(char *why, size_t why_size, const char *text) {
    if (why == NULL || why_size == 0) return;
    size_t used = strnlen(why, why_size);
    if (used + 1 >= why_size) return;
    snprintf(why + used, why_size - used, "%s%s", used > 0 ? "; " : "", text);
}

/* dlsym() for one function; records its absence in `why`. */
static int resolve(void *library, const char *name, const char *symbol, void **slot, char *why, size_t why_size) {
    dlerror();
    *slot = dlsym(library, symbol);
    if (*slot != NULL) return 1;
    char reason[512];
    snprintf(reason, sizeof reason, "%s has no %s", name, symbol);
    add_reason(why, why_size, reason);
    return 0;
}

/*
 * SIGPIPE, blocked on the calling thread while libcurl works. With
 * CURLOPT_NOSIGNAL (needed in a threaded process) libcurl no longer ignores
 * SIGPIPE itself, and a TLS library writing to a connection the server has
 * closed would otherwise end the process. A SIGPIPE raised meanwhile is taken
 * off the pending set before the old mask comes back.
 */
typedef struct {
    sigset_t old_mask;
    int was_pending;
} sigpipe_guard;

static void block_sigpipe(sigpipe_guard *guard) {
    sigset_t pipe_only, pending;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    sigemptyset(&pending);
    sigpending(&pending);
    guard->was_pending = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_only, &guard->old_mask);
}

static void restore_sigpipe(const sigpipe_guard *guard) {
    if (!guard->was_pending) {
        sigset_t pipe_only;
        sigemptyset(&pipe_only);
        sigaddset(&pipe_only, SIGPIPE);
        const struct timespec now = {0, 0};
        while (sigtimedwait(&pipe_only, NULL, &now) == -1 && errno == EINTR) {
        }
    }
    pthread_sigmask(SIG_SETMASK, &guard->old_mask, NULL);
}

static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;

vmctl_curl *vmctl_curl_open(const char *const *names, size_t count, char *why, size_t why_size) {
    if (why != NULL && why_size > 0) why[0] = '\0';
    pthread_mutex_lock(&open_lock);
    vmctl_curl *found = NULL;
    for (size_t i = 0; i < count && found == NULL; i++) {
        void *library = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
        if (library == NULL) {
            const char *error = dlerror();
            add_reason(why, why_size, error != NULL ? error : names[i]);
            continue;
        }
        vmctl_curl *curl = calloc(1, sizeof *curl);
        if (curl == NULL) {
            dlclose(library);
            add_reason(why, why_size, "out of memory");
            break;
        }
        curl->library = library;
        /* A copy: the caller's string may not outlive this call. */
        curl->name = strdup(names[i]);
        int ok = 1;
        ok &= resolve(library, names[i], "curl_global_init", (void **)&curl->global_init, why, why_size);
        ok &= resolve(library, names[i], "curl_easy_init", (void **)&curl->easy_init, why, why_size);
        ok &= resolve(library, names[i], "curl_easy_cleanup", (void **)&curl->easy_cleanup, why, why_size);
        ok &= resolve(library, names[i], "curl_easy_setopt", (void **)&curl->easy_setopt, why, why_size);
        ok &= resolve(library, names[i], "curl_easy_getinfo", (void **)&curl->easy_getinfo, why, why_size);
        ok &= resolve(library, names[i], "curl_easy_perform", (void **)&curl->easy_perform, why, why_size);
        ok &= resolve(library, names[i], "curl_easy_strerror", (void **)&curl->easy_strerror, why, why_size);
        ok &= resolve(library, names[i], "curl_slist_append", (void **)&curl->slist_append, why, why_size);
        ok &= resolve(library, names[i], "curl_slist_free_all", (void **)&curl->slist_free_all, why, why_size);
        ok &= resolve(library, names[i], "curl_version", (void **)&curl->version, why, why_size);
        int status = ok ? curl->global_init(VMCTL_CURL_GLOBAL_DEFAULT) : -1;
        if (ok && status != VMCTL_CURLE_OK) {
            char reason[512];
            snprintf(reason, sizeof reason, "%s: curl_global_init failed: %s", names[i], curl->easy_strerror(status));
            add_reason(why, why_size, reason);
        }
        if (!ok || status != VMCTL_CURLE_OK || curl->name == NULL) {
            dlclose(library);
            free((void *)curl->name);
            free(curl);
            continue;
        }
        /* Loaded: the reasons the names before it failed no longer matter. */
        if (why != NULL && why_size > 0) why[0] = '\0';
        found = curl;
    }
    pthread_mutex_unlock(&open_lock);
    return found;
}

const char *vmctl_curl_library_name(const vmctl_curl *curl) { return curl->name; }

const char *vmctl_curl_version(const vmctl_curl *curl) { return curl->version(); }

const char *vmctl_curl_strerror(const vmctl_curl *curl, int code) {
    const char *text = curl->easy_strerror(code);
    return text != NULL ? text : "unknown error";
}

vmctl_curl_easy *vmctl_curl_easy_init(const vmctl_curl *curl) {
    vmctl_curl_easy *easy = calloc(1, sizeof *easy);
    if (easy == NULL) return NULL;
    easy->curl = curl;
    easy->handle = curl->easy_init();
    if (easy->handle == NULL) {
        free(easy);
        return NULL;
    }
    curl->easy_setopt(easy->handle, VMCTL_CURLOPT_ERRORBUFFER, easy->error);
    return easy;
}

void vmctl_curl_easy_cleanup(vmctl_curl_easy *easy) {
    if (easy == NULL) return;
    /* Cleaning up may send a TLS close-notify on a connection the server has closed. */
    sigpipe_guard guard;
    block_sigpipe(&guard);
    easy->curl->easy_cleanup(easy->handle);
    restore_sigpipe(&guard);
    /* After the handle: libcurl may read the list until it is cleaned up. */
    if (easy->headers != NULL) easy->curl->slist_free_all(easy->headers);
    free(easy);
}

int vmctl_curl_easy_setopt_long(vmctl_curl_easy *easy, int option, long value) {
    return easy->curl->easy_setopt(easy->handle, option, value);
}

int vmctl_curl_easy_setopt_string(vmctl_curl_easy *easy, int option, const char *value) {
    return easy->curl->easy_setopt(easy->handle, option, value);
}

int vmctl_curl_easy_setopt_off_t(vmctl_curl_easy *easy, int option, int64_t value) {
    return easy->curl->easy_setopt(easy->handle, option, (curl_off_t)value);
}

int vmctl_curl_easy_set_body_callback(vmctl_curl_easy *easy, vmctl_curl_data_callback callback, void *context) {
    int status = easy->curl->easy_setopt(easy->handle, VMCTL_CURLOPT_WRITEFUNCTION, callback);
    if (status != VMCTL_CURLE_OK) return status;
    return easy->curl->easy_setopt(easy->handle, VMCTL_CURLOPT_WRITEDATA, context);
}

int vmctl_curl_easy_set_header_callback(vmctl_curl_easy *easy, vmctl_curl_data_callback callback, void *context) {
    int status = easy->curl->easy_setopt(easy->handle, VMCTL_CURLOPT_HEADERFUNCTION, callback);
    if (status != VMCTL_CURLE_OK) return status;
    return easy->curl->easy_setopt(easy->handle, VMCTL_CURLOPT_HEADERDATA, context);
}

int vmctl_curl_easy_add_header(vmctl_curl_easy *easy, const char *header) {
    struct curl_slist *list = easy->curl->slist_append(easy->headers, header);
    /* 27 is CURLE_OUT_OF_MEMORY; the old list stays whole on failure. */
    if (list == NULL) return 27;
    easy->headers = list;
    return easy->curl->easy_setopt(easy->handle, VMCTL_CURLOPT_HTTPHEADER, easy->headers);
}

int vmctl_curl_easy_perform(vmctl_curl_easy *easy) {
    easy->error[0] = '\0';
    sigpipe_guard guard;
    block_sigpipe(&guard);
    int status = easy->curl->easy_perform(easy->handle);
    restore_sigpipe(&guard);
    return status;
}

const char *vmctl_curl_easy_error(const vmctl_curl_easy *easy) { return easy->error; }

int vmctl_curl_easy_getinfo_long(vmctl_curl_easy *easy, int info, long *value) {
    return easy->curl->easy_getinfo(easy->handle, info, value);
}

int vmctl_curl_easy_getinfo_off_t(vmctl_curl_easy *easy, int info, int64_t *value) {
    curl_off_t result = 0;
    int status = easy->curl->easy_getinfo(easy->handle, info, &result);
    *value = (int64_t)result;
    return status;
}

int vmctl_curl_easy_getinfo_string(vmctl_curl_easy *easy, int info, const char **value) {
    char *result = NULL;
    int status = easy->curl->easy_getinfo(easy->handle, info, &result);
    *value = result;
    return status;
}
