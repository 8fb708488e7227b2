#ifndef CHRONOS_CGIT2_SHIM_H
#define CHRONOS_CGIT2_SHIM_H
#include <git2.h>

/* What the callbacks of one fetch need: the https token and the expected ssh host key fingerprint. */
typedef struct {
    const char *token;
    unsigned char ssh_sha256[32];
    int has_ssh_sha256;
} chronos_git_auth;

/* Answers a credential request: the token for https, the ssh-agent's keys for ssh (never logged). */
static int chronos_git_credentials(git_credential **out, const char *url, const char *username_from_url,
                                   unsigned int allowed_types, void *payload) {
    (void)url;
    const chronos_git_auth *auth = (const chronos_git_auth *)payload;
    if (auth != NULL && auth->token != NULL && auth->token[0] != '\0' && (allowed_types & GIT_CREDENTIAL_USERPASS_PLAINTEXT)) {
        return git_credential_userpass_plaintext_new(out, username_from_url ? username_from_url : "x-access-token", auth->token);
    }
    /* ssh:// with the keys of the running ssh-agent (SSH_AUTH_SOCK). */
    if (allowed_types & GIT_CREDENTIAL_SSH_KEY) {
        return git_credential_ssh_key_from_agent(out, username_from_url ? username_from_url : "git");
    }
    return GIT_PASSTHROUGH;
}

/* An ssh host key is accepted only when its SHA256 fingerprint is the one configured; TLS is checked as usual. */
static int chronos_git_certificate_check(git_cert *cert, int valid, const char *host, void *payload) {
    (void)valid;
    (void)host;
    const chronos_git_auth *auth = (const chronos_git_auth *)payload;
    if (cert->cert_type != GIT_CERT_HOSTKEY_LIBSSH2) return GIT_PASSTHROUGH;
    const git_cert_hostkey *key = (const git_cert_hostkey *)cert;
    if (auth == NULL || !auth->has_ssh_sha256 || !(key->type & GIT_CERT_SSH_SHA256)) return GIT_ECERTIFICATE;
    for (int i = 0; i < 32; i++) {
        if (key->hash_sha256[i] != auth->ssh_sha256[i]) return GIT_ECERTIFICATE;
    }
    return 0;
}

/* Fetch options with both callbacks; `auth` must outlive the fetch. */
static inline void chronos_git_fetch_options(git_fetch_options *options, const chronos_git_auth *auth) {
    git_fetch_options_init(options, GIT_FETCH_OPTIONS_VERSION);
    options->callbacks.credentials = chronos_git_credentials;
    options->callbacks.certificate_check = chronos_git_certificate_check;
    options->callbacks.payload = (void *)auth;
}

static inline void chronos_git_clone_options(git_clone_options *options, const chronos_git_auth *auth) {
    git_clone_options_init(options, GIT_CLONE_OPTIONS_VERSION);
    options->bare = 1;
    chronos_git_fetch_options(&options->fetch_opts, auth);
}

/* git_libgit2_opts is variadic: a typed wrapper for the CA certificates used to check https servers. */
static inline int chronos_git_set_ssl_cert_locations(const char *file, const char *path) {
    return git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, file, path);
}
#endif
