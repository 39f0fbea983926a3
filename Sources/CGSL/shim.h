#ifndef FLEETSIM_CGSL_SHIM_H
#define FLEETSIM_CGSL_SHIM_H

#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <gsl/gsl_qrng.h>

/* GSL exposes its generator types as mutable globals (`gsl_rng_mt19937`), which Swift 6 rejects as shared mutable
   state. These accessors return them as plain values. */
static inline const gsl_rng_type *fleetsim_rng_mt19937(void) { return gsl_rng_mt19937; }
static inline const gsl_rng_type *fleetsim_rng_taus2(void) { return gsl_rng_taus2; }
static inline const gsl_qrng_type *fleetsim_qrng_sobol(void) { return gsl_qrng_sobol; }

#endif
