/* rasend -- send IPv6 router advertisements on one interface (lab only).
 *
 *   rasend IFACE PREFIX/64 [INTERVAL_S [COUNT]]
 *
 * Every INTERVAL_S seconds (default 1; COUNT times, default forever) an RA to ff02::1 from
 * IFACE's link-local address, router lifetime 1800 s, with one prefix (on-link, autonomous:
 * hosts that accept RAs take a SLAAC address and a default route). Built with gcc -static by
 * lab/guest/build, so the same binary runs in a busybox guest and in the lab's switch netns.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: rasend IFACE PREFIX/64 [INTERVAL_S [COUNT]]\n");
        return 2;
    }
    unsigned ifindex = if_nametoindex(argv[1]);
    if (!ifindex) {
        perror(argv[1]);
        return 1;
    }
    char prefix[64];
    snprintf(prefix, sizeof prefix, "%s", argv[2]);
    char *slash = strchr(prefix, '/');
    int plen = slash ? atoi(slash + 1) : 64;
    if (slash)
        *slash = 0;
    struct in6_addr pfx;
    if (inet_pton(AF_INET6, prefix, &pfx) != 1 || plen != 64) {
        fprintf(stderr, "rasend: %s is not an IPv6 /64 prefix\n", argv[2]);
        return 2;
    }
    int interval = argc > 3 ? atoi(argv[3]) : 1;
    long count = argc > 4 ? atol(argv[4]) : -1;

    int s = socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
    if (s < 0) {
        perror("socket");
        return 1;
    }
    int hops = 255; /* receivers drop RAs with any other hop limit */
    setsockopt(s, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof hops);
    setsockopt(s, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof ifindex);
    setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, argv[1], strlen(argv[1]));

    struct {
        struct nd_router_advert ra;
        struct nd_opt_prefix_info pi;
    } __attribute__((packed)) msg;
    memset(&msg, 0, sizeof msg);
    msg.ra.nd_ra_type = ND_ROUTER_ADVERT;
    msg.ra.nd_ra_curhoplimit = 64;
    msg.ra.nd_ra_router_lifetime = htons(1800);
    msg.pi.nd_opt_pi_type = ND_OPT_PREFIX_INFORMATION;
    msg.pi.nd_opt_pi_len = 4;
    msg.pi.nd_opt_pi_prefix_len = 64;
    msg.pi.nd_opt_pi_flags_reserved = ND_OPT_PI_FLAG_ONLINK | ND_OPT_PI_FLAG_AUTO;
    msg.pi.nd_opt_pi_valid_time = htonl(86400);
    msg.pi.nd_opt_pi_preferred_time = htonl(14400);
    msg.pi.nd_opt_pi_prefix = pfx;

    struct sockaddr_in6 dst = {.sin6_family = AF_INET6, .sin6_scope_id = ifindex};
    inet_pton(AF_INET6, "ff02::1", &dst.sin6_addr);
    for (long i = 0; count < 0 || i < count; i++) {
        /* the interface's link-local address may still be tentative (DAD): retry */
        if (sendto(s, &msg, sizeof msg, 0, (struct sockaddr *)&dst, sizeof dst) < 0)
            perror("rasend: sendto");
        sleep(interval);
    }
    return 0;
}
