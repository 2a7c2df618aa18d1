namespace OsteoML.Evaluation;

/// <summary>
/// Patient-level bootstrap: each replicate draws as many patients as there are, with replacement, and a
/// row counts as often as its patient was drawn. Rows of one patient (several levels, several scans) stay
/// together, so the intervals do not pretend correlated rows are independent. Seeded and reproducible on
/// every platform (its own SplitMix64 generator, not System.Random).
/// </summary>
public sealed class PatientBootstrap
{
    public const int DefaultReplicates = 1000;
    public const ulong DefaultSeed = 1;
    public const double DefaultLevel = 0.95;

    private readonly int[] patientOfRow;

    /// <param name="patientIds">One id per row; rows with equal ids are one patient.</param>
    /// <param name="replicates">B, the number of resamples.</param>
    /// <param name="seed">Seed of the resampling; the same seed gives the same replicates.</param>
    /// <param name="level">Confidence level of the percentile intervals.</param>
    public PatientBootstrap(IReadOnlyList<string> patientIds, int replicates = DefaultReplicates,
        ulong seed = DefaultSeed, double level = DefaultLevel)
    {
        ArgumentNullException.ThrowIfNull(patientIds);
        if (replicates < 1)
            throw new ArgumentOutOfRangeException(nameof(replicates), replicates, "the bootstrap needs at least one replicate.");
        if (!(level > 0 && level < 1))
            throw new ArgumentOutOfRangeException(nameof(level), level, "the confidence level must lie in (0, 1).");
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        patientOfRow = new int[patientIds.Count];
        for (var row = 0; row < patientOfRow.Length; row++)
        {
            var id = patientIds[row] ?? throw new ArgumentException($"patient id of row {row} is null.", nameof(patientIds));
            if (!index.TryGetValue(id, out var patient))
                index.Add(id, patient = index.Count);
            patientOfRow[row] = patient;
        }
        Patients = index.Count;
        Replicates = replicates;
        Seed = seed;
        Level = level;
    }

    public int Rows => patientOfRow.Length;
    public int Patients { get; }
    public int Replicates { get; }
    public ulong Seed { get; }
    public double Level { get; }

    /// <summary>
    /// The row weights of each replicate, in order: weight = how often the row's patient was drawn. Each
    /// array is fresh (safe to keep). The sequence depends only on the seed and the grouping of the rows.
    /// </summary>
    public IEnumerable<int[]> RowWeights()
    {
        var random = new SplitMix64(Seed);
        var drawn = new int[Patients];
        for (var b = 0; b < Replicates; b++)
        {
            Array.Clear(drawn);
            for (var i = 0; i < Patients; i++)
                drawn[random.NextBelow(Patients)]++;
            var weights = new int[patientOfRow.Length];
            for (var row = 0; row < weights.Length; row++)
                weights[row] = drawn[patientOfRow[row]];
            yield return weights;
        }
    }

    /// <summary>The statistic evaluated on every replicate (given the row weights); null where undefined.</summary>
    public IReadOnlyList<T> Replicate<T>(Func<int[], T> statistic) => RowWeights().Select(statistic).ToArray();

    /// <summary>Percentile interval of any weighted statistic, e.g. one a tuner defines itself.</summary>
    public ConfidenceInterval? Interval(Func<int[], double?> statistic) =>
        ConfidenceInterval.FromReplicates(Replicate(statistic), Level);

    internal ConfidenceInterval? Interval<T>(IReadOnlyList<T> replicates, Func<T, double?> metric) =>
        ConfidenceInterval.FromReplicates(replicates.Select(metric), Level);

    internal void EnsureRows(int rows)
    {
        if (rows != Rows)
            throw new ArgumentException($"the bootstrap was built for {Rows} rows but the data has {rows}.");
    }

    /// <summary>SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and fixed forever, unlike System.Random's algorithm.</summary>
    private struct SplitMix64(ulong seed)
    {
        private ulong state = seed;

        public ulong Next()
        {
            var z = state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        /// <summary>Uniform integer in [0, bound), unbiased (Lemire's multiply-and-reject).</summary>
        public int NextBelow(int bound)
        {
            var range = (ulong)bound;
            var high = Math.BigMul(Next(), range, out var low);
            if (low < range)
            {
                var threshold = (0UL - range) % range;
                while (low < threshold)
                    high = Math.BigMul(Next(), range, out low);
            }
            return (int)high;
        }
    }
}
