namespace OsteoML.Evaluation;

/// <summary>The standard normal distribution: sampling, density and distribution function.</summary>
public static class Gaussian
{
    private static readonly double InverseSqrt2Pi = 1 / Math.Sqrt(2 * Math.PI);

    /// <summary>Box–Muller; consumes two uniforms so a seeded <see cref="Random"/> gives a reproducible stream.</summary>
    public static double Sample(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    public static double Density(double z) => InverseSqrt2Pi * Math.Exp(-0.5 * z * z);

    /// <summary>Φ(z) through the complementary error function (absolute error below 1.2·10⁻⁷).</summary>
    public static double Cdf(double z) => 0.5 * Erfc(-z / Math.Sqrt(2));

    /// <summary>erfc by the Chebyshev-fitted expansion of Numerical Recipes (fractional error &lt; 1.2·10⁻⁷ everywhere).</summary>
    private static double Erfc(double x)
    {
        var z = Math.Abs(x);
        var t = 1 / (1 + 0.5 * z);
        var r = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
                t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
                t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }
}
