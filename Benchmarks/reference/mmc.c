/* An M/M/c queue as a plain C discrete-event simulation: a binary heap of (time, sequence, event) entries, a FIFO
   ring of waiting arrival times, GSL exponential draws from two taus2 streams (arrivals, service). It measures only
   the mean wait, the least a simulator must do; `fleetsim bench --only mmc` runs the same queue through the whole
   model (histograms, timeline windows, cost) and is compared with it in the same run (make bench-reference).
   Usage: mmc [customers [servers [load]]], defaults 10,000,000, 8 and 0.8. */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef struct { double time; uint64_t sequence; int32_t server; } entry; /* server -1: an arrival */

static entry *heap;
static size_t count;
static uint64_t next_sequence;

static int precedes(const entry *a, const entry *b) {
    return a->time < b->time || (a->time == b->time && a->sequence < b->sequence);
}

static void push(double time, int32_t server) {
    entry moving = {time, next_sequence++, server};
    size_t child = count++;
    while (child > 0) {
        size_t parent = (child - 1) / 2;
        if (!precedes(&moving, &heap[parent])) break;
        heap[child] = heap[parent];
        child = parent;
    }
    heap[child] = moving;
}

static entry pop(void) {
    entry first = heap[0];
    entry moving = heap[--count];
    size_t hole = 0;
    for (;;) {
        size_t child = 2 * hole + 1;
        if (child >= count) break;
        if (child + 1 < count && precedes(&heap[child + 1], &heap[child])) child++;
        if (!precedes(&heap[child], &moving)) break;
        heap[hole] = heap[child];
        hole = child;
    }
    heap[hole] = moving;
    return first;
}

int main(int argc, char **argv) {
    long customers = argc > 1 ? atol(argv[1]) : 10000000;
    int servers = argc > 2 ? atoi(argv[2]) : 8;
    double load = argc > 3 ? atof(argv[3]) : 0.8;
    double lambda = servers * load; /* service rate 1 */
    gsl_rng *arrivals = gsl_rng_alloc(gsl_rng_taus2), *service = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(arrivals, 1);
    gsl_rng_set(service, 2);
    heap = malloc(sizeof(entry) * (size_t)(servers + 2));
    size_t capacity = 1 << 16, head = 0, waiting = 0;
    double *queue = malloc(sizeof(double) * capacity);
    int idle = servers;
    long arrived = 0, started = 0;
    double waits = 0;

    struct timespec begin, end;
    clock_gettime(CLOCK_MONOTONIC, &begin);
    push(gsl_ran_exponential(arrivals, 1 / lambda), -1);
    while (count > 0) {
        entry e = pop();
        if (e.server < 0) {
            arrived++;
            if (idle > 0) {
                idle--;
                started++;
                push(e.time + gsl_ran_exponential(service, 1), 0);
            } else {
                if (waiting == capacity) { /* grow the ring, unwrapping it */
                    double *grown = malloc(sizeof(double) * capacity * 2);
                    for (size_t i = 0; i < waiting; i++) grown[i] = queue[(head + i) % capacity];
                    free(queue);
                    queue = grown;
                    head = 0;
                    capacity *= 2;
                }
                queue[(head + waiting++) % capacity] = e.time;
            }
            if (arrived < customers) push(e.time + gsl_ran_exponential(arrivals, 1 / lambda), -1);
        } else if (waiting > 0) {
            double arrival = queue[head];
            head = (head + 1) % capacity;
            waiting--;
            waits += e.time - arrival;
            started++;
            push(e.time + gsl_ran_exponential(service, 1), 0);
        } else {
            idle++;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    double seconds = (end.tv_sec - begin.tv_sec) + (end.tv_nsec - begin.tv_nsec) / 1e9;
    printf("mmc reference (C): %ld customers, M/M/%d at load %.2f, mean wait %.4f s, %.3f s, %.2f M customers/s\n",
           customers, servers, load, waits / started, seconds, customers / seconds / 1e6);
    gsl_rng_free(arrivals);
    gsl_rng_free(service);
    free(heap);
    free(queue);
    return 0;
}
