using System.Security.Cryptography;
using System.Text;

namespace OsteoML.Synthesis.Sampling;

/// <summary>
/// xoshiro256** seeded through SplitMix64: a fixed, documented generator, so a cohort depends only on its seed and
/// never on the .NET version or on thread scheduling. Each case, and each slice's noise, draws from its own
/// stream derived with <see cref="Derive(ulong, string, long)"/>.
/// </summary>
public sealed class SynthRandom
{
    private ulong _s0, _s1, _s2, _s3;

    public SynthRandom(ulong seed)
    {
        var sm = seed;
        _s0 = SplitMix64(ref sm);
        _s1 = SplitMix64(ref sm);
        _s2 = SplitMix64(ref sm);
        _s3 = SplitMix64(ref sm);
    }

    /// <summary>A seed for an independent stream named by <paramref name="purpose"/> and <paramref name="index"/>.</summary>
    public static ulong Derive(ulong seed, string purpose, long index = 0)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}/{purpose}/{index}"), hash);
        return BitConverter.ToUInt64(hash);
    }

    public ulong NextUInt64()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    public double Uniform(double min, double max) => min + (max - min) * NextDouble();

    /// <summary>Uniform integer in [min, max).</summary>
    public int Next(int min, int max) => min + (int)(NextDouble() * (max - min));

    public bool Bernoulli(double p) => NextDouble() < p;

    /// <summary>Standard normal by the Box–Muller transform.</summary>
    public double Gaussian()
    {
        var u1 = 1.0 - NextDouble();
        var u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    public double Normal(double mean, double sd) => mean + sd * Gaussian();

    /// <summary>Normal restricted to [min, max] by rejection (falls back to clamping after 100 tries).</summary>
    public double TruncatedNormal(double mean, double sd, double min, double max)
    {
        for (var i = 0; i < 100; i++)
        {
            var x = Normal(mean, sd);
            if (x >= min && x <= max)
                return x;
        }
        return Math.Clamp(mean, min, max);
    }

    /// <summary>Log-normal with the given median and log-space SD.</summary>
    public double LogNormal(double median, double logSd) => median * Math.Exp(logSd * Gaussian());

    /// <summary>Index drawn with probability proportional to <paramref name="weights"/>.</summary>
    public int Choose(IReadOnlyList<double> weights)
    {
        var total = 0.0;
        foreach (var w in weights)
            total += w;
        if (!(total > 0))
            throw new ArgumentException("Weights must have a positive sum.", nameof(weights));
        var x = NextDouble() * total;
        for (var i = 0; i < weights.Count; i++)
        {
            x -= weights[i];
            if (x < 0)
                return i;
        }
        return weights.Count - 1;
    }

    public T Choose<T>(IReadOnlyList<T> items, Func<T, double> weight) => items[Choose(items.Select(weight).ToArray())];

    /// <summary>Poisson by Knuth's product method (small means only, as used here).</summary>
    public int Poisson(double mean)
    {
        var limit = Math.Exp(-mean);
        var k = 0;
        for (var p = NextDouble(); p > limit; p *= NextDouble())
            k++;
        return k;
    }

    /// <summary>In-place Fisher–Yates shuffle.</summary>
    public void Shuffle<T>(IList<T> items)
    {
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = Next(0, i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private static ulong SplitMix64(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
