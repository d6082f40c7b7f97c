/* The workload of benches/trace.rs: a server and the client it forks
 * exchange N small messages over loopback TCP. The client write()s N
 * messages of SIZE bytes; the server read()s SIZE bytes at a time until
 * EOF. Usage: stream N SIZE */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 100000;
    int size = argc > 2 ? atoi(argv[2]) : 64;
    char buf[65536];
    memset(buf, 'x', sizeof buf);
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (bind(l, (struct sockaddr *)&a, sizeof a) || listen(l, 1)) return 1;
    getsockname(l, (struct sockaddr *)&a, &len);
    pid_t child = fork();
    if (child == 0) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(s, (struct sockaddr *)&a, sizeof a)) _exit(1);
        for (long i = 0; i < n; i++)
            if (write(s, buf, size) != size) _exit(1);
        close(s);
        _exit(0);
    }
    int c = accept(l, NULL, NULL);
    long total = 0;
    for (;;) {
        ssize_t got = read(c, buf, size);
        if (got <= 0) break;
        total += got;
    }
    int st;
    waitpid(child, &st, 0);
    return total == n * size && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}
