/*
 * ring.c - C11 reference of faultscope's fault ring: the same region layout, protocol, records,
 * checks, timestamps and wait strategies as the TypeScript ring of `faultscope bench`, with two
 * pthreads instead of two Workers, to tell what the TypeScript costs over C on the same machine
 * in the same run. `faultscope bench --c-reference` compiles it with `cc -O2 -pthread` and
 * passes the layout and the record template it derives from its ABI data, so both rings are
 * the same by construction.
 *
 * Protocol (as src/ring/producer.ts and consumer.ts):
 *   producer: keeps its own prod and the cons it last saw; reads cons (acquire) only when the
 *             free space it last saw is short of a batch, checks it (range, never past prod),
 *             writes up to -b records in place, publishes prod (release) once per batch;
 *   consumer: reads prod (acquire), checks it, verifies every ready record, publishes cons
 *             (release) once per drain.
 *   One slot always stays empty; capacities need not be powers of two.
 * Records: the template words (-t), with pasid = seq & 0xfffff, addr = seq << 12, the low word
 *   of fetch_addr = producer timestamp (ns, mod 2^32, one clock read per batch) and its high
 *   word = sum of imul(word[k], weight(k)), weight(k) = (2k+1) * 0x9e3779b1 | 1. The consumer
 *   checks every word: fixed words against the template, the others through the checksum, and
 *   the sequence number (modulo 2^32).
 * Wait (-w): spin, or spin-wait: poll up to an adaptive budget (first -s us, doubling after a
 *   sleep the other side ended within -S us, halving after a longer one), then arm a doorbell
 *   word and futex-wait on it; the other side wakes it after publishing (Dekker over seq_cst).
 * Latency: producer timestamp to the consumer's clock read per drain, in a log-linear histogram
 *   (64 buckets per power of two, as src/stats/histogram.ts).
 * Paced mode (-i us): the producer publishes one record, then waits that long (busy below
 *   1 ms, asleep above), to measure unloaded and wake-up latency.
 *
 * -x FILE writes the region to FILE after the run (tests decode it with the TypeScript codec).
 *
 * Output: one JSON line. Exit 0 when every record verified, 1 otherwise, 2 on a usage error.
 *
 * Build: cc -O2 -pthread -o ring bench/c/ring.c
 * Run:   ./ring -g 16,0,4096,64,512,36864 -t 1,0,4,7,0,1,0,0,0,0,0,0,0,0,0,0 -f 4,6,7,8,9 -b 256 -d 1000
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_WORDS 64
#define SUB_BITS 6
#define SUB (1 << SUB_BITS)
#define LINEAR (2 * SUB)
#define BUCKETS (LINEAR + (32 - SUB_BITS - 1) * SUB)

/* ---------------------------------------------------------------- configuration */
static uint32_t g_prod_off, g_cons_off, g_ring_off, g_entry, g_cap, g_region;
static int32_t g_tmpl[MAX_WORDS];
static uint32_t g_words;
static uint32_t g_P, g_AL, g_AH, g_T, g_C;
static uint32_t g_batch = 256;
static int g_spin_wait = 0;
static double g_spin_us = 50, g_max_spin_us = 2000;
static double g_duration_ms = 1000, g_warmup_ms = 200;
static uint64_t g_records = 0; /* 0: timed */
static double g_gap_us = 0;    /* paced mode when > 0 */
static int g_sc = 0;
static int g_pin_p = -1, g_pin_c = -1;
static const char *g_dump; /* -x: write the region here after the run */
static int g_sleep_ms = 50; /* longest single sleep (-l): a sleeper re-checks this often */

/* ---------------------------------------------------------------- shared state */
static uint8_t *g_buf;
static _Atomic uint32_t *g_prod_idx, *g_cons_idx;
static int32_t *g_ring;
/* Doorbells and flags, each on its own cache line. */
static struct {
	_Alignas(64) _Atomic uint32_t consumer_bell;
	_Alignas(64) _Atomic uint32_t producer_bell;
	_Alignas(64) _Atomic int go;
	_Atomic int done;
} g_ctl;

struct side {
	uint64_t records, publishes, waits, spins, arms, sleeps, timeouts, notifies;
	uint64_t index_loads, clock_reads;
	int cpus[16];
	int ncpus;
	const char *fault;
};
static struct side g_ps, g_cs;
static uint64_t g_ok, g_lost, g_dup, g_torn, g_skew, g_window_records;
static double g_window_ms;
static double g_hist[BUCKETS];
static uint64_t g_hist_total;
static uint32_t g_hist_min = UINT32_MAX, g_hist_max;
static uint32_t g_base_sum;

static inline uint32_t weight(uint32_t k)
{
	return ((2 * k + 1) * 0x9e3779b1u) | 1u;
}

static inline double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

static inline uint32_t now_ns32(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint32_t)((uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec);
}

static inline uint32_t ld_acq(_Atomic uint32_t *p)
{
	return g_sc ? atomic_load(p) : atomic_load_explicit(p, memory_order_acquire);
}

static inline void st_rel(_Atomic uint32_t *p, uint32_t v)
{
	if (g_sc)
		atomic_store(p, v);
	else
		atomic_store_explicit(p, v, memory_order_release);
}

static void note_cpu(struct side *s)
{
	int c = sched_getcpu();
	if (c < 0)
		return;
	for (int i = 0; i < s->ncpus; i++)
		if (s->cpus[i] == c)
			return;
	if (s->ncpus < 16)
		s->cpus[s->ncpus++] = c;
}

static void pin_self(int cpu)
{
	if (cpu < 0)
		return;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	int e = pthread_setaffinity_np(pthread_self(), sizeof set, &set);
	if (e)
		fprintf(stderr, "ring: pin to cpu %d failed: %s\n", cpu, strerror(e));
}

/* ---------------------------------------------------------------- doorbell and spinner */
static void futex_wait(_Atomic uint32_t *w, uint32_t v, int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	syscall(SYS_futex, (uint32_t *)w, FUTEX_WAIT_PRIVATE, v, &ts, NULL, 0);
}

static void futex_wake(_Atomic uint32_t *w)
{
	syscall(SYS_futex, (uint32_t *)w, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

/*
 * Waker, after publishing: wake the sleeper if it armed its bell. The publish was a release
 * store, which x86 (and C11) may still hold in a store buffer past the load of the bell; the
 * sleeper may then arm the bell, re-read the index before the publish is visible, and sleep
 * through it (a lost wake-up). The fence orders the publish before the load, as the JS ring's
 * seq_cst Atomics.store does.
 */
static inline void bell_ring(_Atomic uint32_t *bell, struct side *waker)
{
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load(bell) == 0)
		return;
	atomic_store(bell, 0);
	futex_wake(bell);
	waker->notifies++;
}

struct spinner {
	double budget_ms, min_ms, max_ms, since;
	uint32_t polls;
};

/* One poll found no work. ready() re-reads the other side's index before sleeping. */
static void spinner_idle(struct spinner *sp, _Atomic uint32_t *bell, struct side *me,
			 int (*ready)(void))
{
	uint32_t n = ++sp->polls;
	if ((n & 127) != 0 || !g_spin_wait)
		return;
	double now = now_ms();
	me->clock_reads++;
	if (n == 128) {
		sp->since = now;
		return;
	}
	if (now - sp->since < sp->budget_ms)
		return;
	atomic_store(bell, 1);
	me->arms++;
	if (ready()) {
		atomic_store(bell, 0);
		sp->polls = 0;
		return;
	}
	me->sleeps++;
	futex_wait(bell, 1, g_sleep_ms);
	int woken = atomic_load(bell) == 0;
	atomic_store(bell, 0);
	double slept = now_ms() - now;
	me->clock_reads++;
	if (!woken)
		me->timeouts++;
	if (woken && slept <= sp->max_ms)
		sp->budget_ms = sp->budget_ms * 2 < sp->max_ms ? sp->budget_ms * 2 : sp->max_ms;
	else
		sp->budget_ms = sp->budget_ms / 2 > sp->min_ms ? sp->budget_ms / 2 : sp->min_ms;
	sp->polls = 0;
}

/* ---------------------------------------------------------------- records */
/*
 * The record operations are generated for the two record sizes (12 and 16 words) so the
 * compiler sees a constant word count: the template copy and the fixed-word compare become a
 * few wide moves and compares, as a C programmer would write them for a known struct.
 */
static int32_t g_fixmask[MAX_WORDS]; /* all ones on the words that never change */

#define RECORD_OPS(NW)                                                                        \
	static inline void write_##NW(int32_t *restrict r, uint32_t seq, uint32_t ts)         \
	{                                                                                     \
		uint32_t pasid = seq & 0xfffffu, lo = seq << 12, hi = seq >> 20;              \
		memcpy(r, g_tmpl, NW * 4);                                                    \
		r[g_P] = (int32_t)pasid;                                                      \
		r[g_AL] = (int32_t)lo;                                                        \
		r[g_AH] = (int32_t)hi;                                                        \
		r[g_T] = (int32_t)ts;                                                         \
		r[g_C] = (int32_t)(g_base_sum + pasid * weight(g_P) + lo * weight(g_AL) +     \
				   hi * weight(g_AH) + ts * weight(g_T));                     \
	}                                                                                     \
	/* 0 when the record is exactly record `next`, intact. */                             \
	static inline uint32_t check_##NW(const int32_t *r, uint32_t next)                    \
	{                                                                                     \
		uint32_t bad = 0;                                                             \
		for (int k = 0; k < NW; k++)                                                  \
			bad |= ((uint32_t)r[k] ^ (uint32_t)g_tmpl[k]) & (uint32_t)g_fixmask[k]; \
		uint32_t pasid = (uint32_t)r[g_P], lo = (uint32_t)r[g_AL],                    \
			 hi = (uint32_t)r[g_AH], ts = (uint32_t)r[g_T];                       \
		uint32_t sum = g_base_sum + pasid * weight(g_P) + lo * weight(g_AL) +         \
			       hi * weight(g_AH) + ts * weight(g_T);                          \
		uint32_t seq = (lo >> 12) | (hi << 20);                                       \
		return bad | (sum ^ (uint32_t)r[g_C]) | (pasid ^ (seq & 0xfffffu)) |          \
		       (seq ^ next);                                                          \
	}

RECORD_OPS(12)
RECORD_OPS(16)

static inline uint32_t check_record(const int32_t *r, uint32_t next)
{
	return g_words == 16 ? check_16(r, next) : check_12(r, next);
}

static inline void hist_record(uint32_t v, uint32_t n)
{
	uint32_t b;
	if (v < LINEAR) {
		b = v;
	} else {
		uint32_t e = 31 - (uint32_t)__builtin_clz(v);
		b = LINEAR + (e - SUB_BITS - 1) * SUB + ((v >> (e - SUB_BITS)) & (SUB - 1));
	}
	g_hist[b] += n;
	g_hist_total += n;
	if (v < g_hist_min)
		g_hist_min = v;
	if (v > g_hist_max)
		g_hist_max = v;
}

static double hist_lower(uint32_t b)
{
	if (b < LINEAR)
		return b;
	uint32_t i = b - LINEAR, e = (i >> SUB_BITS) + SUB_BITS + 1;
	return (double)(SUB + (i & (SUB - 1))) * (double)(1ull << (e - SUB_BITS));
}

static double hist_percentile(double q)
{
	if (g_hist_total == 0)
		return -1;
	double rank = q * (double)g_hist_total;
	if (rank < 1)
		rank = 1;
	rank = (double)(uint64_t)(rank + 0.999999999);
	double seen = 0;
	for (uint32_t b = 0; b < BUCKETS; b++) {
		seen += g_hist[b];
		if (seen >= rank) {
			double v = hist_lower(b);
			if (v < g_hist_min)
				v = g_hist_min;
			if (v > g_hist_max)
				v = g_hist_max;
			return v;
		}
	}
	return g_hist_max;
}

/* ---------------------------------------------------------------- producer */
static uint32_t p_prod, p_cons;

static uint32_t reserve(uint32_t max)
{
	uint32_t cap = g_cap;
	uint32_t room = p_cons >= p_prod + 1 ? p_cons - p_prod - 1 : p_cons + cap - p_prod - 1;
	if (room >= max)
		return max;
	uint32_t c = ld_acq(g_cons_idx);
	g_ps.index_loads++;
	if (c != p_cons) {
		if (c >= cap) {
			g_ps.fault = "cons out of range";
			return UINT32_MAX;
		}
		uint32_t moved = c >= p_cons ? c - p_cons : c + cap - p_cons;
		uint32_t pending = p_prod >= p_cons ? p_prod - p_cons : p_prod + cap - p_cons;
		if (moved > pending) {
			g_ps.fault = "cons passed prod";
			return UINT32_MAX;
		}
		p_cons = c;
	}
	room = c >= p_prod + 1 ? c - p_prod - 1 : c + cap - p_prod - 1;
	return room < max ? room : max;
}

static int producer_ready(void)
{
	return reserve(1) != 0;
}

static void pace(double us)
{
	if (us >= 1000) {
		struct timespec ts = {(time_t)(us / 1e6), (long)((us - (time_t)(us / 1e6) * 1e6) * 1e3)};
		nanosleep(&ts, NULL);
		return;
	}
	double end = now_ms() + us / 1e3;
	while (now_ms() < end)
		;
}

static void *producer(void *arg)
{
	(void)arg;
	pin_self(g_pin_p);
	while (!atomic_load(&g_ctl.go))
		;
	struct spinner sp = {g_spin_us / 1e3, g_spin_us / 1e3, g_max_spin_us / 1e3, 0, 0};
	double start = now_ms(), next_cpu = start;
	double deadline = g_records ? 1e300 : start + g_warmup_ms + g_duration_ms;
	uint64_t limit = g_records ? g_records : UINT64_MAX;
	uint32_t batch = g_gap_us > 0 ? 1 : g_batch;
	uint32_t W = g_words;
	uint64_t seq = 0;
	int waiting = 0;
	p_prod = p_cons = 0;
	note_cpu(&g_ps);
	while (seq < limit) {
		uint32_t n = reserve(batch);
		if (n == 0) {
			if (!waiting) {
				g_ps.waits++;
				waiting = 1;
			}
			g_ps.spins++;
			spinner_idle(&sp, &g_ctl.producer_bell, &g_ps, producer_ready);
			continue;
		}
		if (n == UINT32_MAX)
			break;
		if (waiting) {
			waiting = 0;
			sp.polls = 0;
		}
		if (n > limit - seq)
			n = (uint32_t)(limit - seq);
		uint32_t ts = now_ns32();
		g_ps.clock_reads += 2; /* the timestamp, and the deadline below */
		uint32_t slot = p_prod;
		if (W == 16) {
			for (uint32_t i = 0; i < n; i++) {
				write_16(g_ring + (size_t)slot * 16, (uint32_t)(seq + i), ts);
				slot = slot + 1 == g_cap ? 0 : slot + 1;
			}
		} else {
			for (uint32_t i = 0; i < n; i++) {
				write_12(g_ring + (size_t)slot * 12, (uint32_t)(seq + i), ts);
				slot = slot + 1 == g_cap ? 0 : slot + 1;
			}
		}
		p_prod = slot;
		st_rel(g_prod_idx, p_prod);
		seq += n;
		g_ps.publishes++;
		if (g_spin_wait)
			bell_ring(&g_ctl.consumer_bell, &g_ps);
		double now = now_ms();
		if (now >= next_cpu) {
			note_cpu(&g_ps);
			next_cpu = now + 100;
		}
		if (now >= deadline)
			break;
		if (g_gap_us > 0)
			pace(g_gap_us);
	}
	g_ps.records = seq;
	note_cpu(&g_ps);
	atomic_store(&g_ctl.done, 1);
	atomic_store(&g_ctl.consumer_bell, 0);
	futex_wake(&g_ctl.consumer_bell);
	return NULL;
}

/* ---------------------------------------------------------------- consumer */
static uint32_t c_prod, c_cons;

static int64_t available(void)
{
	uint32_t cap = g_cap, p = ld_acq(g_prod_idx);
	g_cs.index_loads++;
	uint32_t n = p >= c_cons ? p - c_cons : p + cap - c_cons;
	if (p != c_prod) {
		if (p >= cap) {
			g_cs.fault = "prod out of range";
			return -1;
		}
		uint32_t before = c_prod >= c_cons ? c_prod - c_cons : c_prod + cap - c_cons;
		if (n < before) {
			g_cs.fault = "prod moved back";
			return -1;
		}
		c_prod = p;
	}
	return n;
}

static inline void latency_run(uint32_t now_ns, uint32_t ts, uint32_t n)
{
	int32_t lat = (int32_t)(now_ns - ts);
	if (lat < 0) {
		g_skew += n;
		lat = 0;
	}
	hist_record((uint32_t)lat, n);
}

/* The slow path: a record that is not `*next`, intact: torn, lost records, or out of place. */
static void classify(const int32_t *r, uint32_t *next)
{
	uint32_t lo = (uint32_t)r[g_AL], hi = (uint32_t)r[g_AH];
	uint32_t seq = (lo >> 12) | (hi << 20);
	if (check_record(r, seq) != 0) {
		g_torn++;
		(*next)++;
	} else if ((int32_t)(seq - *next) < 0) {
		g_dup++;
	} else {
		g_lost += seq - *next;
		g_ok++;
		*next = seq + 1;
	}
}

/* Checks n records from `slot`; returns the slot after them. Runs of one timestamp are
 * recorded when they end (the last one is left in run_ts_p and run_p for the caller). */
#define CONSUME(NW)                                                                           \
	static uint32_t consume_##NW(uint32_t slot, uint32_t n, uint32_t *next_p,             \
				     uint32_t *run_ts_p, uint32_t *run_p, uint32_t now_ns,    \
				     int measure)                                             \
	{                                                                                     \
		uint32_t next = *next_p, run_ts = *run_ts_p, run = *run_p;                    \
		uint64_t ok = 0;                                                              \
		for (uint32_t i = 0; i < n; i++) {                                            \
			const int32_t *r = g_ring + (size_t)slot * NW;                        \
			uint32_t ts = (uint32_t)r[g_T];                                       \
			if (__builtin_expect(check_##NW(r, next) == 0, 1)) {                  \
				ok++;                                                         \
				next++;                                                       \
				if (ts != run_ts) {                                           \
					if (run && measure)                                   \
						latency_run(now_ns, run_ts, run);             \
					run_ts = ts;                                          \
					run = 0;                                              \
				}                                                             \
				run++;                                                        \
			} else {                                                              \
				classify(r, &next);                                           \
			}                                                                     \
			slot = slot + 1 == g_cap ? 0 : slot + 1;                              \
		}                                                                             \
		g_ok += ok;                                                                   \
		*next_p = next;                                                               \
		*run_ts_p = run_ts;                                                           \
		*run_p = run;                                                                 \
		return slot;                                                                  \
	}

CONSUME(12)
CONSUME(16)

static int consumer_ready(void)
{
	return available() != 0 || atomic_load(&g_ctl.done);
}

static void *consumer(void *arg)
{
	(void)arg;
	pin_self(g_pin_c);
	while (!atomic_load(&g_ctl.go))
		;
	struct spinner sp = {g_spin_us / 1e3, g_spin_us / 1e3, g_max_spin_us / 1e3, 0, 0};
	double t0 = now_ms(), next_cpu = t0, win_start = -1;
	uint64_t warm_records = g_records ? g_records / 5 : UINT64_MAX, win_from = 0;
	uint32_t W = g_words, next = 0;
	uint64_t seen = 0;
	int waiting = 0;
	c_prod = c_cons = 0;
	note_cpu(&g_cs);
	if (g_warmup_ms <= 0)
		win_start = t0;
	for (;;) {
		int64_t a = available();
		if (a == 0) {
			if (atomic_load(&g_ctl.done)) {
				a = available();
				if (a == 0)
					break;
			} else {
				if (!waiting) {
					g_cs.waits++;
					waiting = 1;
				}
				g_cs.spins++;
				spinner_idle(&sp, &g_ctl.consumer_bell, &g_cs, consumer_ready);
				continue;
			}
		}
		if (a < 0)
			break;
		if (waiting) {
			waiting = 0;
			sp.polls = 0;
		}
		uint32_t n = (uint32_t)a;
		double now = now_ms();
		uint32_t now_ns = now_ns32();
		g_cs.clock_reads += 2;
		if (win_start < 0 && (now - t0 >= g_warmup_ms || seen >= warm_records)) {
			win_start = now;
			win_from = seen;
		}
		int measure = win_start >= 0;
		uint32_t slot = c_cons, run_ts = 0, run = 0;
		if (W == 16)
			slot = consume_16(slot, n, &next, &run_ts, &run, now_ns, measure);
		else
			slot = consume_12(slot, n, &next, &run_ts, &run, now_ns, measure);
		if (run && measure) {
			int32_t lat = (int32_t)(now_ns - run_ts);
			if (lat < 0) {
				g_skew += run;
				lat = 0;
			}
			hist_record((uint32_t)lat, run);
		}
		seen += n;
		c_cons = slot;
		st_rel(g_cons_idx, c_cons);
		g_cs.publishes++;
		if (g_spin_wait)
			bell_ring(&g_ctl.producer_bell, &g_cs);
		if (now >= next_cpu) {
			note_cpu(&g_cs);
			next_cpu = now + 100;
		}
	}
	double end = now_ms();
	g_cs.records = seen;
	note_cpu(&g_cs);
	if (win_start >= 0) {
		g_window_records = seen - win_from;
		g_window_ms = end - win_start;
	}
	return NULL;
}

/* ---------------------------------------------------------------- main */
static void usage(void)
{
	fprintf(stderr,
		"usage: ring -g prod,cons,ring,entry,capacity,region -t w0,w1,... -f P,AL,AH,T,C\n"
		"            [-b batch] [-w spin|spin-wait] [-s spin_us] [-S max_spin_us] [-l sleep_ms]\n"
		"            [-d duration_ms] [-u warmup_ms] [-n records] [-i gap_us] [-o rel|sc] [-p P,C]\n"
		"            [-x region_dump_file]\n");
	exit(2);
}

static int parse_list(const char *s, long long *out, int max)
{
	int n = 0;
	char *end;
	while (*s && n < max) {
		out[n++] = strtoll(s, &end, 0);
		if (end == s)
			return -1;
		s = *end == ',' ? end + 1 : end;
		if (*end != ',' && *end != 0)
			return -1;
	}
	return n;
}

static void print_side(const char *name, const struct side *s)
{
	printf("\"%s\":{\"records\":%llu,\"publishes\":%llu,\"waits\":%llu,\"spins\":%llu,"
	       "\"arms\":%llu,\"sleeps\":%llu,\"timeouts\":%llu,\"notifies\":%llu,"
	       "\"index_loads\":%llu,\"clock_reads\":%llu,\"fault\":",
	       name, (unsigned long long)s->records, (unsigned long long)s->publishes,
	       (unsigned long long)s->waits, (unsigned long long)s->spins, (unsigned long long)s->arms,
	       (unsigned long long)s->sleeps, (unsigned long long)s->timeouts,
	       (unsigned long long)s->notifies, (unsigned long long)s->index_loads,
	       (unsigned long long)s->clock_reads);
	if (s->fault)
		printf("\"%s\"", s->fault);
	else
		printf("null");
	printf(",\"cpus\":[");
	for (int i = 0; i < s->ncpus; i++)
		printf("%s%d", i ? "," : "", s->cpus[i]);
	printf("]}");
}

int main(int argc, char **argv)
{
	long long v[MAX_WORDS];
	int opt, have_g = 0, have_t = 0, have_f = 0;
	while ((opt = getopt(argc, argv, "g:t:f:b:w:s:S:l:d:u:n:i:o:p:x:")) != -1) {
		switch (opt) {
		case 'g':
			if (parse_list(optarg, v, 6) != 6)
				usage();
			g_prod_off = v[0], g_cons_off = v[1], g_ring_off = v[2], g_entry = v[3],
			g_cap = v[4], g_region = v[5];
			have_g = 1;
			break;
		case 't': {
			int n = parse_list(optarg, v, MAX_WORDS);
			if (n <= 0)
				usage();
			for (int i = 0; i < n; i++)
				g_tmpl[i] = (int32_t)(uint32_t)v[i];
			g_words = n;
			have_t = 1;
			break;
		}
		case 'f':
			if (parse_list(optarg, v, 5) != 5)
				usage();
			g_P = v[0], g_AL = v[1], g_AH = v[2], g_T = v[3], g_C = v[4];
			have_f = 1;
			break;
		case 'b': g_batch = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'w':
			if (!strcmp(optarg, "spin")) g_spin_wait = 0;
			else if (!strcmp(optarg, "spin-wait")) g_spin_wait = 1;
			else usage();
			break;
		case 's': g_spin_us = strtod(optarg, NULL); break;
		case 'S': g_max_spin_us = strtod(optarg, NULL); break;
		case 'l': g_sleep_ms = atoi(optarg); break;
		case 'd': g_duration_ms = strtod(optarg, NULL); break;
		case 'u': g_warmup_ms = strtod(optarg, NULL); break;
		case 'n': g_records = strtoull(optarg, NULL, 0); break;
		case 'i': g_gap_us = strtod(optarg, NULL); break;
		case 'o':
			if (!strcmp(optarg, "rel")) g_sc = 0;
			else if (!strcmp(optarg, "sc")) g_sc = 1;
			else usage();
			break;
		case 'p':
			if (sscanf(optarg, "%d,%d", &g_pin_p, &g_pin_c) != 2) usage();
			break;
		case 'x': g_dump = optarg; break;
		default: usage();
		}
	}
	if (!have_g || !have_t || !have_f || g_words * 4 != g_entry || g_cap < 2 || g_batch < 1 ||
	    (uint64_t)g_ring_off + (uint64_t)g_cap * g_entry > g_region || g_P >= g_words ||
	    g_AL >= g_words || g_AH >= g_words || g_T >= g_words || g_C >= g_words ||
	    (g_prod_off & 3) || (g_cons_off & 3) || (g_ring_off & 3))
		usage();
	if (g_sleep_ms < 1)
		usage();
	if (g_max_spin_us < g_spin_us)
		g_max_spin_us = g_spin_us;
	if (g_words != 12 && g_words != 16)
		usage(); /* the record sizes faultscope knows: 48 and 64 bytes */
	g_base_sum = 0;
	for (uint32_t k = 0; k < g_words; k++) {
		int varying = k == g_P || k == g_AL || k == g_AH || k == g_T || k == g_C;
		if (varying)
			g_tmpl[k] = 0;
		g_fixmask[k] = varying ? 0 : -1;
		g_base_sum += (uint32_t)g_tmpl[k] * weight(k);
	}

	g_buf = aligned_alloc(4096, (g_region + 4095) & ~4095u);
	if (!g_buf)
		return 2;
	memset(g_buf, 0, g_region);
	g_prod_idx = (_Atomic uint32_t *)(g_buf + g_prod_off);
	g_cons_idx = (_Atomic uint32_t *)(g_buf + g_cons_off);
	g_ring = (int32_t *)(g_buf + g_ring_off);

	pthread_t tp, tc;
	pthread_create(&tc, NULL, consumer, NULL);
	pthread_create(&tp, NULL, producer, NULL);
	usleep(20000); /* let both threads start (and pin) */
	atomic_store(&g_ctl.go, 1);
	pthread_join(tp, NULL);
	pthread_join(tc, NULL);

	int ok = g_lost == 0 && g_dup == 0 && g_torn == 0 && !g_ps.fault && !g_cs.fault &&
		 g_cs.records == g_ps.records;
	double rps = g_window_ms > 0 ? g_window_records / (g_window_ms / 1e3) : 0;
	printf("{\"verified\":%s,\"records_per_s\":%.0f,\"window_records\":%llu,\"window_ms\":%.3f,"
	       "\"ok\":%llu,\"lost\":%llu,\"duplicated_or_reordered\":%llu,\"torn\":%llu,"
	       "\"clock_skew\":%llu,\"order\":\"%s\",",
	       ok ? "true" : "false", rps, (unsigned long long)g_window_records, g_window_ms,
	       (unsigned long long)g_ok, (unsigned long long)g_lost, (unsigned long long)g_dup,
	       (unsigned long long)g_torn, (unsigned long long)g_skew, g_sc ? "seq_cst" : "acq_rel");
	if (g_hist_total)
		printf("\"latency_ns\":{\"p50\":%.0f,\"p99\":%.0f,\"p999\":%.0f,\"max\":%u,\"samples\":%llu},",
		       hist_percentile(0.5), hist_percentile(0.99), hist_percentile(0.999), g_hist_max,
		       (unsigned long long)g_hist_total);
	else
		printf("\"latency_ns\":null,");
	print_side("producer", &g_ps);
	printf(",");
	print_side("consumer", &g_cs);
	printf("}\n");
	if (g_dump) {
		FILE *f = fopen(g_dump, "wb");
		if (!f || fwrite(g_buf, 1, g_region, f) != g_region || fclose(f) != 0) {
			fprintf(stderr, "ring: cannot write %s\n", g_dump);
			ok = 0;
		}
	}
	free(g_buf);
	return ok ? 0 : 1;
}
