/*
 * tls.c: TLS sessions with GnuTLS (see transport.h).
 *
 * Both sides use x509 certificates only. The server requests (not
 * requires) a client certificate so that a client without one completes
 * the handshake and can be told why it is refused; every check of the
 * peer happens after the handshake, in vk_tls_check_client/_server, with
 * one message per reason (unknown CA, expired, not yet valid, revoked,
 * wrong host name, DN not allowed).
 */
#include "config.h"

#include <errno.h>
#include <fnmatch.h>
#include <gnutls/x509.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "error.h"
#include "transport.h"

struct vk_tls_ctx {
    gnutls_certificate_credentials_t creds;
    gnutls_priority_t prio;
    bool server;
};

static pthread_once_t tls_once = PTHREAD_ONCE_INIT;
static void tls_global_init(void)
{
    gnutls_global_init();
}

static int tls_fail(int rc, const char *fmt, const char *arg)
{
    VK_AUTOFREE(char *) what = vk_asprintf(fmt, arg ? arg : "");
    vk_error_set(VIRTKIT_ERR_TLS, VIRTKIT_SUB_RPC, "%s: %s", what, gnutls_strerror(rc));
    return -1;
}

static vk_tls_ctx *ctx_new(bool server, const char *priority)
{
    pthread_once(&tls_once, tls_global_init);
    vk_tls_ctx *ctx = vk_alloc(sizeof(*ctx));
    ctx->server = server;
    int rc = gnutls_certificate_allocate_credentials(&ctx->creds);
    if (rc < 0) {
        free(ctx);
        tls_fail(rc, "cannot allocate TLS credentials%s", NULL);
        return NULL;
    }
    const char *errpos = NULL;
    rc = gnutls_priority_init(&ctx->prio, priority ? priority : VK_TLS_DEFAULT_PRIORITY, &errpos);
    if (rc < 0) {
        vk_error_set(VIRTKIT_ERR_TLS, VIRTKIT_SUB_RPC,
                     "invalid TLS priority string '%s' at '%s': %s", priority,
                     errpos ? errpos : "?", gnutls_strerror(rc));
        gnutls_certificate_free_credentials(ctx->creds);
        free(ctx);
        return NULL;
    }
    return ctx;
}

void vk_tls_ctx_free(vk_tls_ctx *ctx)
{
    if (!ctx)
        return;
    gnutls_priority_deinit(ctx->prio);
    gnutls_certificate_free_credentials(ctx->creds);
    free(ctx);
}

static int load_ca(vk_tls_ctx *ctx, const char *ca)
{
    if (access(ca, R_OK) < 0) {
        vk_error_system(errno, VIRTKIT_SUB_RPC, "cannot read the CA certificate '%s'", ca);
        return -1;
    }
    int rc = gnutls_certificate_set_x509_trust_file(ctx->creds, ca, GNUTLS_X509_FMT_PEM);
    if (rc < 0)
        return tls_fail(rc, "cannot load the CA certificate '%s'", ca);
    if (rc == 0) {
        vk_error_set(VIRTKIT_ERR_TLS, VIRTKIT_SUB_RPC,
                     "the CA file '%s' contains no certificate", ca);
        return -1;
    }
    return 0;
}

static int load_pair(vk_tls_ctx *ctx, const char *cert, const char *key)
{
    if (access(cert, R_OK) < 0) {
        vk_error_system(errno, VIRTKIT_SUB_RPC, "cannot read the certificate '%s'", cert);
        return -1;
    }
    if (access(key, R_OK) < 0) {
        vk_error_system(errno, VIRTKIT_SUB_RPC, "cannot read the private key '%s'", key);
        return -1;
    }
    int rc = gnutls_certificate_set_x509_key_file(ctx->creds, cert, key, GNUTLS_X509_FMT_PEM);
    if (rc < 0) {
        VK_AUTOFREE(char *) both = vk_asprintf("%s' with key '%s", cert, key);
        return tls_fail(rc, "cannot load the certificate '%s'", both);
    }
    return 0;
}

vk_tls_ctx *vk_tls_server_new(const char *cert, const char *key, const char *ca,
                              const char *crl, const char *priority)
{
    VK_AUTOPTR(vk_tls_ctx) ctx = ctx_new(true, priority);
    if (!ctx || load_ca(ctx, ca) < 0 || load_pair(ctx, cert, key) < 0)
        return NULL;
    if (!vk_str_empty(crl)) {
        int rc = gnutls_certificate_set_x509_crl_file(ctx->creds, crl, GNUTLS_X509_FMT_PEM);
        if (rc < 0) {
            tls_fail(rc, "cannot load the revocation list '%s'", crl);
            return NULL;
        }
    }
    return VK_STEAL(ctx);
}

vk_tls_ctx *vk_tls_client_new(const char *cert, const char *key, const char *ca,
                              const char *priority)
{
    VK_AUTOPTR(vk_tls_ctx) ctx = ctx_new(false, priority);
    if (!ctx || load_ca(ctx, ca) < 0)
        return NULL;
    if (cert && key && load_pair(ctx, cert, key) < 0)
        return NULL;
    return VK_STEAL(ctx);
}

/* GnuTLS writes with plain send(); a peer that went away must be an
 * error, never a SIGPIPE in the application. */
static ssize_t tls_push(gnutls_transport_ptr_t p, const void *data, size_t n)
{
    return send((int)(intptr_t)p, data, n, MSG_NOSIGNAL);
}

int vk_tls_session_start(vk_tls_ctx *ctx, vk_rpc_sock *s, const char *server_name)
{
    gnutls_session_t sess;
    int rc = gnutls_init(&sess, (ctx->server ? GNUTLS_SERVER : GNUTLS_CLIENT) | GNUTLS_NONBLOCK);
    if (rc < 0)
        return tls_fail(rc, "cannot start a TLS session%s", NULL);
    rc = gnutls_priority_set(sess, ctx->prio);
    if (rc >= 0)
        rc = gnutls_credentials_set(sess, GNUTLS_CRD_CERTIFICATE, ctx->creds);
    if (rc >= 0 && server_name)
        rc = gnutls_server_name_set(sess, GNUTLS_NAME_DNS, server_name, strlen(server_name));
    if (rc < 0) {
        gnutls_deinit(sess);
        return tls_fail(rc, "cannot configure the TLS session%s", NULL);
    }
    if (ctx->server) {
        gnutls_certificate_server_set_request(sess, GNUTLS_CERT_REQUEST);
        /* Without the CA list a client sends its certificate even when
         * another CA signed it, so the refusal can say exactly that. */
        gnutls_certificate_send_x509_rdn_sequence(sess, 1);
    }
    gnutls_transport_set_int(sess, s->fd);
    gnutls_transport_set_push_function(sess, tls_push);
    s->tls = sess;
    return 0;
}

int vk_tls_handshake(vk_rpc_sock *s)
{
    int rc = gnutls_handshake(s->tls);
    if (rc == 0)
        return 0;
    if (rc == GNUTLS_E_AGAIN || rc == GNUTLS_E_INTERRUPTED)
        return -2;
    if (gnutls_error_is_fatal(rc) == 0)
        return -2;
    if (rc == GNUTLS_E_UNEXPECTED_PACKET_LENGTH || rc == GNUTLS_E_UNSUPPORTED_VERSION_PACKET ||
        rc == GNUTLS_E_UNEXPECTED_PACKET)
        vk_error_set(VIRTKIT_ERR_TLS, VIRTKIT_SUB_RPC,
                     "TLS handshake failed: the peer does not speak TLS (%s)",
                     gnutls_strerror(rc));
    else if (rc == GNUTLS_E_FATAL_ALERT_RECEIVED)
        vk_error_set(VIRTKIT_ERR_TLS, VIRTKIT_SUB_RPC,
                     "TLS handshake failed: the peer refused with alert '%s'",
                     gnutls_alert_get_name(gnutls_alert_get(s->tls)));
    else
        vk_error_set(VIRTKIT_ERR_TLS, VIRTKIT_SUB_RPC, "TLS handshake failed: %s",
                     gnutls_strerror(rc));
    return -1;
}

short vk_tls_handshake_wants(vk_rpc_sock *s)
{
    return gnutls_record_get_direction(s->tls) ? POLLOUT : POLLIN;
}

const char *vk_tls_version_name(vk_rpc_sock *s)
{
    if (!s->tls)
        return "none";
    const char *n = gnutls_protocol_get_name(gnutls_protocol_get_version(s->tls));
    return n ? n : "?";
}

/* The subject DN of the first certificate of the peer's chain. */
static int peer_dn(gnutls_session_t sess, char **dn, gnutls_x509_crt_t *crt_out)
{
    unsigned int n = 0;
    const gnutls_datum_t *certs = gnutls_certificate_get_peers(sess, &n);
    if (!certs || n == 0)
        return 0;
    gnutls_x509_crt_t crt;
    if (gnutls_x509_crt_init(&crt) < 0)
        return -1;
    if (gnutls_x509_crt_import(crt, &certs[0], GNUTLS_X509_FMT_DER) < 0) {
        gnutls_x509_crt_deinit(crt);
        vk_error_set(VIRTKIT_ERR_AUTH_FAILED, VIRTKIT_SUB_RPC,
                     "the peer's certificate cannot be parsed");
        return -1;
    }
    gnutls_datum_t d = { 0 };
    if (gnutls_x509_crt_get_dn3(crt, &d, 0) >= 0) {
        *dn = vk_strndup((const char *)d.data, d.size);
        gnutls_free(d.data);
    } else {
        *dn = vk_strdup("(unreadable subject)");
    }
    *crt_out = crt;
    return 1;
}

/* One sentence for the first problem in a verification status. */
static const char *status_reason(unsigned int st)
{
    static const struct {
        unsigned int bit;
        const char *why;
    } reasons[] = {
        { GNUTLS_CERT_SIGNER_NOT_FOUND, "is not signed by a trusted CA" },
        { GNUTLS_CERT_EXPIRED, "has expired" },
        { GNUTLS_CERT_NOT_ACTIVATED, "is not valid yet" },
        { GNUTLS_CERT_REVOKED, "has been revoked" },
        { GNUTLS_CERT_UNEXPECTED_OWNER, "does not name the host connected to" },
        { GNUTLS_CERT_SIGNER_NOT_CA, "is signed by a certificate that is not a CA" },
        { GNUTLS_CERT_INSECURE_ALGORITHM, "uses an insecure algorithm" },
        { GNUTLS_CERT_SIGNATURE_FAILURE, "has a bad signature" },
    };
    for (size_t i = 0; i < VK_ARRAY_LEN(reasons); i++)
        if (st & reasons[i].bit)
            return reasons[i].why;
    return "failed verification";
}

int vk_tls_check_client(vk_rpc_sock *s, char *const *allowed_dn, char **dn)
{
    gnutls_x509_crt_t crt = NULL;
    *dn = NULL;
    int have = peer_dn(s->tls, dn, &crt);
    if (have < 0)
        return -1;
    if (have == 0) {
        vk_error_set(VIRTKIT_ERR_AUTH_FAILED, VIRTKIT_SUB_RPC,
                     "the client sent no certificate; virtkitd requires an x509 client "
                     "certificate signed by its CA");
        return -1;
    }
    gnutls_x509_crt_deinit(crt);
    unsigned int status = 0;
    int rc = gnutls_certificate_verify_peers3(s->tls, NULL, &status);
    if (rc < 0) {
        vk_error_set(VIRTKIT_ERR_AUTH_FAILED, VIRTKIT_SUB_RPC,
                     "cannot verify the client certificate '%s': %s", *dn, gnutls_strerror(rc));
        return -1;
    }
    if (status) {
        vk_error_set(VIRTKIT_ERR_AUTH_FAILED, VIRTKIT_SUB_RPC, "client certificate '%s' %s",
                     *dn, status_reason(status));
        return -1;
    }
    if (!allowed_dn || !allowed_dn[0])
        return 0;
    for (size_t i = 0; allowed_dn[i]; i++)
        if (fnmatch(allowed_dn[i], *dn, 0) == 0)
            return 0;
    vk_error_set(VIRTKIT_ERR_AUTH_FAILED, VIRTKIT_SUB_RPC,
                 "client certificate '%s' is not on the daemon's list of allowed DNs", *dn);
    return -1;
}

int vk_tls_check_server(vk_rpc_sock *s, const char *hostname)
{
    VK_AUTOFREE(char *) dn = NULL;
    gnutls_x509_crt_t crt = NULL;
    int have = peer_dn(s->tls, &dn, &crt);
    if (have < 0)
        return -1;
    if (have == 0) {
        vk_error_set(VIRTKIT_ERR_TLS, VIRTKIT_SUB_RPC, "the daemon sent no certificate");
        return -1;
    }
    gnutls_x509_crt_deinit(crt);
    unsigned int status = 0;
    int rc = gnutls_certificate_verify_peers3(s->tls, hostname, &status);
    if (rc < 0) {
        vk_error_set(VIRTKIT_ERR_TLS, VIRTKIT_SUB_RPC,
                     "cannot verify the daemon's certificate '%s': %s", dn, gnutls_strerror(rc));
        return -1;
    }
    if (status) {
        if (status & GNUTLS_CERT_UNEXPECTED_OWNER)
            vk_error_set(VIRTKIT_ERR_TLS, VIRTKIT_SUB_RPC,
                         "the daemon's certificate '%s' does not name host '%s'", dn, hostname);
        else
            vk_error_set(VIRTKIT_ERR_TLS, VIRTKIT_SUB_RPC, "the daemon's certificate '%s' %s",
                         dn, status_reason(status));
        return -1;
    }
    return 0;
}
