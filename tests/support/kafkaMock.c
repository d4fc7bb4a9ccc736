/*
 * A Kafka cluster for tests: librdkafka's built-in mock cluster (real wire protocol on 127.0.0.1,
 * random ports), driven over stdin so a test can create topics and take brokers down and up.
 * Build: gcc -O2 -o kafka-mock kafkaMock.c $(pkg-config --cflags --libs rdkafka)   (librdkafka-dev)
 * Usage: kafka-mock [-k] BROKERS [TOPIC:PARTITIONS ...]
 *   prints BOOTSTRAP=<host:port,...> once ready, then answers each stdin line with OK or ERR:
 *     topic NAME PARTITIONS       create a topic (replication factor min(3, BROKERS))
 *     down ID | up ID             take broker ID (1..BROKERS) down / bring it back
 *     rtt ID MS                   add round-trip latency to broker ID
 *     leader TOPIC PARTITION ID   move a partition's leadership
 *     err APIKEY CODE [N]         fail the next N requests of APIKEY with error CODE
 *   exits at stdin EOF (its parent died) unless -k; always on SIGTERM/SIGINT.
 */
#include <errno.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stopping = 0;
static void on_signal(int sig) {
    (void)sig;
    stopping = 1;
}

static int replication(int brokers) { return brokers < 3 ? brokers : 3; }

static void reply(const char *status, const char *line) {
    printf("%s %s\n", status, line);
    fflush(stdout);
}

static void command(rd_kafka_mock_cluster_t *mc, int brokers, char *line) {
    char echo[512];
    line[strcspn(line, "\r\n")] = '\0';
    snprintf(echo, sizeof echo, "%s", line);
    char *verb = strtok(line, " \t\r\n");
    if (!verb) return;
    char *a = strtok(NULL, " \t\r\n"), *b = strtok(NULL, " \t\r\n"), *c = strtok(NULL, " \t\r\n");
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
    if (!strcmp(verb, "topic") && a && b)
        err = rd_kafka_mock_topic_create(mc, a, atoi(b), replication(brokers));
    else if (!strcmp(verb, "down") && a)
        err = rd_kafka_mock_broker_set_down(mc, atoi(a));
    else if (!strcmp(verb, "up") && a)
        err = rd_kafka_mock_broker_set_up(mc, atoi(a));
    else if (!strcmp(verb, "rtt") && a && b)
        err = rd_kafka_mock_broker_set_rtt(mc, atoi(a), atoi(b));
    else if (!strcmp(verb, "leader") && a && b && c)
        err = rd_kafka_mock_partition_set_leader(mc, a, atoi(b), atoi(c));
    else if (!strcmp(verb, "err") && a && b) {
        int n = c ? atoi(c) : 1;
        for (int i = 0; i < n; i++)
            rd_kafka_mock_push_request_errors(mc, (int16_t)atoi(a), 1, (rd_kafka_resp_err_t)atoi(b));
    } else {
        reply("ERR", echo);
        return;
    }
    if (err) {
        char msg[600];
        snprintf(msg, sizeof msg, "%s: %s", echo, rd_kafka_err2str(err));
        reply("ERR", msg);
    } else
        reply("OK", echo);
}

int main(int argc, char **argv) {
    int keep = 0, arg = 1;
    if (argc > arg && !strcmp(argv[arg], "-k")) keep = 1, arg++;
    int brokers = argc > arg ? atoi(argv[arg++]) : 1;
    if (brokers < 1) brokers = 1;

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: a blocked fgets returns on SIGTERM */
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!rk) {
        fprintf(stderr, "rd_kafka_new: %s\n", errstr);
        return 1;
    }
    rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, brokers);
    if (!mc) {
        fprintf(stderr, "rd_kafka_mock_cluster_new failed\n");
        return 1;
    }
    /* kafkajs sends LeaveGroup v3, which this mock mis-parses: offer v0..v1 only. */
    rd_kafka_mock_set_apiversion(mc, 13, 0, 1);
    for (; arg < argc; arg++) {
        char *colon = strchr(argv[arg], ':');
        int partitions = colon ? atoi(colon + 1) : 1;
        if (colon) *colon = '\0';
        rd_kafka_mock_topic_create(mc, argv[arg], partitions, replication(brokers));
    }
    printf("BOOTSTRAP=%s\n", rd_kafka_mock_cluster_bootstraps(mc));
    fflush(stdout);

    char line[512];
    while (!stopping) {
        if (fgets(line, sizeof line, stdin)) {
            command(mc, brokers, line);
            continue;
        }
        if (errno == EINTR && !stopping) {
            clearerr(stdin);
            continue;
        }
        if (!keep) break;
        while (!stopping) pause();
    }
    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(rk);
    return 0;
}
