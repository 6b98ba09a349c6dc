/* xoshiro256++ as a gsl_rng_type, and stream keys.
 *
 * xoshiro256++: Blackman D, Vigna S. Scrambled linear pseudorandom number
 * generators. ACM Trans Math Softw 2021;47(4):36. Period 2^256 - 1.
 * SplitMix64 (Steele, Lea, Flood, OOPSLA 2014) spreads a 64-bit seed over
 * the state and mixes the stream coordinates into one key. */
#include "itpsim/rng.h"

typedef struct {
    uint64_t s[4];
} xoshiro_state;

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline uint64_t next64(xoshiro_state *st)
{
    uint64_t *s = st->s;
    uint64_t result = rotl(s[0] + s[3], 23) + s[0];
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

static void xo_set(void *vstate, unsigned long seed)
{
    xoshiro_state *st = vstate;
    uint64_t x = (uint64_t)seed;
    for (int i = 0; i < 4; i++)
        st->s[i] = splitmix64(&x);
}

/* GSL's integer interface is 32 bits wide here (gsl_rng_uniform_int and
 * friends use max - min); the top bits are the best of xoshiro256++. */
static unsigned long xo_get(void *vstate)
{
    return (unsigned long)(next64(vstate) >> 32);
}

/* 53 random bits; never 1.0, may be 0.0 as gsl_rng_uniform allows. */
static double xo_get_double(void *vstate)
{
    return (double)(next64(vstate) >> 11) * 0x1.0p-53;
}

static const gsl_rng_type xoshiro_type = {
    "xoshiro256pp", 0xffffffffUL, 0, sizeof(xoshiro_state),
    xo_set, xo_get, xo_get_double
};

const gsl_rng_type *itp_rng_xoshiro256pp = &xoshiro_type;

uint64_t itp_rng_key(uint64_t seed, uint64_t replicate, uint64_t patient,
                     uint64_t purpose)
{
    uint64_t x = seed;
    uint64_t h = splitmix64(&x);
    x = h ^ replicate;
    h = splitmix64(&x);
    x = h ^ patient;
    h = splitmix64(&x);
    x = h ^ purpose;
    return splitmix64(&x);
}

void itp_rng_stream(gsl_rng *r, uint64_t seed, uint64_t replicate,
                    uint64_t patient, uint64_t purpose)
{
    gsl_rng_set(r, (unsigned long)itp_rng_key(seed, replicate, patient,
                                              purpose));
}
