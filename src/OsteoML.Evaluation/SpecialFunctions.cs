namespace OsteoML.Evaluation;

/// <summary>
/// The special functions behind the p-value of Pearson's r: log-gamma and the regularized incomplete beta
/// function (the CDF of Student's t is one). Small and pure so they can be checked against scipy.
/// </summary>
internal static class SpecialFunctions
{
    // Lanczos approximation, g = 7, n = 9 (the coefficients Numerical Recipes and Boost publish);
    // relative error below 1e-15 for x > 0.
    private static readonly double[] Lanczos =
    [
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
        -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
        1.5056327351493116e-7,
    ];

    /// <summary>ln Γ(x) for x &gt; 0.</summary>
    public static double LogGamma(double x)
    {
        if (!(x > 0))
            throw new ArgumentOutOfRangeException(nameof(x), x, "LogGamma needs x > 0.");
        if (x < 0.5)
            return Math.Log(Math.PI / Math.Sin(Math.PI * x)) - LogGamma(1 - x); // reflection keeps accuracy near 0
        x -= 1;
        var sum = Lanczos[0];
        for (var i = 1; i < Lanczos.Length; i++)
            sum += Lanczos[i] / (x + i);
        var t = x + 7.5;
        return 0.5 * Math.Log(2 * Math.PI) + (x + 0.5) * Math.Log(t) - t + Math.Log(sum);
    }

    /// <summary>
    /// I_x(a, b), the regularized incomplete beta function. <paramref name="y"/> is 1 − x, passed separately
    /// because callers can often compute it without the cancellation of 1 − x (it decides tail accuracy).
    /// </summary>
    public static double RegularizedIncompleteBeta(double a, double b, double x, double y)
    {
        if (!(a > 0) || !(b > 0))
            throw new ArgumentOutOfRangeException(nameof(a), "RegularizedIncompleteBeta needs a > 0 and b > 0.");
        if (x <= 0) return 0;
        if (y <= 0) return 1;
        // The continued fraction converges fast for x < (a+1)/(a+b+2); use the symmetry I_x(a,b) = 1 − I_y(b,a) otherwise.
        if (x > (a + 1) / (a + b + 2))
            return 1 - RegularizedIncompleteBeta(b, a, y, x);
        var logFront = a * Math.Log(x) + b * Math.Log(y) - (LogGamma(a) + LogGamma(b) - LogGamma(a + b));
        return Math.Exp(logFront) * BetaContinuedFraction(a, b, x) / a;
    }

    /// <summary>Two-sided p-value of Student's t statistic with ν degrees of freedom: P(|T| ≥ |t|).</summary>
    public static double StudentTTwoSidedP(double t, double degreesOfFreedom)
    {
        if (double.IsInfinity(t)) return 0;
        var t2 = t * t;
        // P(|T| ≥ |t|) = I_{ν/(ν+t²)}(ν/2, 1/2); both x and 1 − x computed directly.
        return RegularizedIncompleteBeta(degreesOfFreedom / 2, 0.5,
            degreesOfFreedom / (degreesOfFreedom + t2), t2 / (degreesOfFreedom + t2));
    }

    /// <summary>Lentz's evaluation of the incomplete beta continued fraction (Numerical Recipes §6.4).</summary>
    private static double BetaContinuedFraction(double a, double b, double x)
    {
        const double tiny = 1e-300;
        const double epsilon = 1e-16;
        var qab = a + b;
        var qap = a + 1;
        var qam = a - 1;
        var c = 1.0;
        var d = 1 - qab * x / qap;
        if (Math.Abs(d) < tiny) d = tiny;
        d = 1 / d;
        var h = d;
        for (var m = 1; m <= 100_000; m++)
        {
            var m2 = 2 * m;
            var aa = m * (b - m) * x / ((qam + m2) * (a + m2));
            d = 1 + aa * d;
            if (Math.Abs(d) < tiny) d = tiny;
            c = 1 + aa / c;
            if (Math.Abs(c) < tiny) c = tiny;
            d = 1 / d;
            h *= d * c;
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
            d = 1 + aa * d;
            if (Math.Abs(d) < tiny) d = tiny;
            c = 1 + aa / c;
            if (Math.Abs(c) < tiny) c = tiny;
            d = 1 / d;
            var delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < epsilon)
                return h;
        }
        throw new InvalidOperationException($"incomplete beta continued fraction did not converge (a={a}, b={b}, x={x}).");
    }
}
