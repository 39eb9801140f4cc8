#pragma once
/*
 * The part of libcurl's C ABI that vmctl calls, declared from its
 * documentation (curl/curl.h, libcurl(3)) so that no curl development
 * package is needed to build. A CURL handle is opaque; CURLcode, CURLoption
 * and CURLINFO are C enums, passed as int.
 */
#include <stdint.h>

typedef void CURL;
typedef int64_t curl_off_t;

/* struct curl_slist: a singly linked list of strings, as libcurl defines it. */
struct curl_slist {
    char *data;
    struct curl_slist *next;
};

#define VMCTL_CURL_ERROR_SIZE 256       /* CURL_ERROR_SIZE */
#define VMCTL_CURL_GLOBAL_DEFAULT 3L    /* CURL_GLOBAL_SSL | CURL_GLOBAL_WIN32 */
#define VMCTL_CURLOPT_WRITEDATA 10001
#define VMCTL_CURLOPT_ERRORBUFFER 10010
#define VMCTL_CURLOPT_WRITEFUNCTION 20011
#define VMCTL_CURLOPT_HTTPHEADER 10023
#define VMCTL_CURLOPT_HEADERDATA 10029
#define VMCTL_CURLOPT_HEADERFUNCTION 20079

typedef int (*curl_global_init_fn)(long flags);
typedef CURL *(*curl_easy_init_fn)(void);
typedef void (*curl_easy_cleanup_fn)(CURL *handle);
typedef int (*curl_easy_setopt_fn)(CURL *handle, int option, ...);
typedef int (*curl_easy_getinfo_fn)(CURL *handle, int info, ...);
typedef int (*curl_easy_perform_fn)(CURL *handle);
typedef const char *(*curl_easy_strerror_fn)(int code);
typedef struct curl_slist *(*curl_slist_append_fn)(struct curl_slist *list, const char *string);
typedef void (*curl_slist_free_all_fn)(struct curl_slist *list);
typedef char *(*curl_version_fn)(void);
