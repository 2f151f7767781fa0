"""Prints the coefficients of ag_erff (CSources/AutogradKernels/include/ag_math.h):
the Taylor series of erf to x^27, and a degree-16 Chebyshev fit (as power-series
coefficients in u = (a - 2.5) / 1.5) of f(a) = erfc(a) * e^(a^2) on [1, 4].
Needs numpy:  VENV/bin/python scripts/numerics/erf_fit.py
"""
import math

import numpy as np

a = np.linspace(1, 4, 40001)
f = np.array([math.erfc(x) * math.exp(x * x) for x in a])
u = (a - 2.5) / 1.5
c = np.polynomial.chebyshev.chebfit(u, f, 16)
p = np.polynomial.chebyshev.cheb2poly(c)
print("f(a), lowest power first; max relative error %.3g" % np.max(np.abs(np.polyval(p[::-1], u) - f) / f))
for v in p:
    print("    %.17g" % v)
print("erf(x) / x, powers of x^2:")
for k in range(14):
    print("    %.17g" % (2 / math.sqrt(math.pi) * (-1) ** k / (math.factorial(k) * (2 * k + 1))))
