/* A server that forks a child to serve each connection, reading with
 * readv; a client that writes with writev, sendmsg and write.
 *   vectors server        (port 0, written to the file `port`)
 *   vectors client PORT */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

static int server(void) {
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t n = sizeof a;
    if (bind(l, (struct sockaddr *)&a, sizeof a) || listen(l, 5)) return 1;
    getsockname(l, (struct sockaddr *)&a, &n);
    FILE *f = fopen("port.tmp", "w");
    fprintf(f, "%d", ntohs(a.sin_port));
    fclose(f);
    rename("port.tmp", "port");
    int c = accept(l, NULL, NULL);
    pid_t child = fork();
    if (child == 0) {
        close(l);
        usleep(50000);
        char head[4], rest[100];
        for (;;) {
            struct iovec iov[2] = {{head, sizeof head}, {rest, sizeof rest}};
            ssize_t got = readv(c, iov, 2);
            if (got <= 0) break;
            printf("readv: %zd bytes\n", got);
            fflush(stdout);
        }
        _exit(0);
    }
    close(c);
    int st;
    waitpid(child, &st, 0);
    return 0;
}

static int client(int port) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (connect(s, (struct sockaddr *)&a, sizeof a)) return 1;
    struct iovec w[2] = {{"hel", 3}, {"lo", 2}};
    writev(s, w, 2);
    struct iovec m[2] = {{"fe", 2}, {"ng", 2}};
    struct msghdr h = {.msg_iov = m, .msg_iovlen = 2};
    sendmsg(s, &h, 0);
    write(s, "!", 1);
    close(s);
    return 0;
}

int main(int argc, char **argv) {
    if (argc > 2 && !strcmp(argv[1], "client")) return client(atoi(argv[2]));
    return server();
}
