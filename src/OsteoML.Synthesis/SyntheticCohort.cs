using OsteoML.Synthesis.Cohort;
using OsteoML.Synthesis.Rendering;
using OsteoML.Synthesis.Sampling;

namespace OsteoML.Synthesis;

/// <summary>
/// A synthetic cohort: the preset's cases drawn deterministically from a seed. <see cref="Cases"/> holds every
/// case's specification (truth, hidden variables; no voxels). <see cref="Generate"/> renders them lazily, in order,
/// a few ahead in parallel, so training can stream cases without writing DICOM.
/// <code>
/// var cohort = SyntheticCohort.Create(CohortPreset.Paper, seed: 42);
/// foreach (var c in cohort.Generate(CohortSplit.Train, RenderOptions.Reduced))
///     Train(c.Hu, c.Labels, c.QctBmd);
/// </code>
/// </summary>
public sealed class SyntheticCohort
{
    private SyntheticCohort(CohortPreset preset, ulong seed, IReadOnlyList<CaseSpec> cases)
    {
        Preset = preset;
        Seed = seed;
        Cases = cases;
    }

    public CohortPreset Preset { get; }
    public ulong Seed { get; }

    /// <summary>All cases in cohort order: train, then test, then independent; scanners interleaved at random within a split.</summary>
    public IReadOnlyList<CaseSpec> Cases { get; }

    public static SyntheticCohort Create(string presetNameOrPath, ulong seed) => Create(CohortPreset.Resolve(presetNameOrPath), seed);

    public static SyntheticCohort Create(CohortPreset preset, ulong seed)
    {
        preset.Validate($"preset '{preset.Name}'");
        var order = new SynthRandom(SynthRandom.Derive(seed, $"{preset.Name}/order"));
        var slots = new List<(CohortSplit Split, Hospital Hospital, Physics.ScannerProfile Scanner)>();
        foreach (var split in Enum.GetValues<CohortSplit>())
        {
            var inSplit = preset.Hospitals
                .SelectMany(h => h.Scanners.SelectMany(s => Enumerable.Repeat((split, h, s), s.Cases[split])))
                .ToList();
            order.Shuffle(inSplit);
            slots.AddRange(inSplit);
        }
        var cases = new CaseSpec[slots.Count];
        Parallel.For(0, slots.Count, i => cases[i] = CaseSampler.Sample(preset, seed, i, slots[i].Split, slots[i].Hospital, slots[i].Scanner));
        return new SyntheticCohort(preset, seed, cases);
    }

    public IEnumerable<CaseSpec> CasesIn(CohortSplit split) => Cases.Where(c => c.Split == split);

    /// <summary>The same cohort restricted to some of its cases (each keeps its index, identity and truth).</summary>
    public SyntheticCohort Subset(Func<CaseSpec, bool> keep) => new(Preset, Seed, Cases.Where(keep).ToList());

    /// <summary>Renders one case (slices in parallel).</summary>
    public SyntheticCase Render(int index, RenderOptions options) => CaseRenderer.Render(Cases[index], options);

    /// <summary>
    /// Renders the cases of <paramref name="split"/> (all when null) in cohort order, lazily: at most
    /// <paramref name="lookAhead"/> cases are in flight or waiting, so memory stays bounded however slowly the
    /// consumer takes them. Output is identical whatever the parallelism.
    /// </summary>
    public IEnumerable<SyntheticCase> Generate(CohortSplit? split = null, RenderOptions? options = null, int lookAhead = 0)
    {
        options ??= RenderOptions.Reduced;
        var specs = split is { } s ? Cases.Where(c => c.Split == s).ToList() : Cases.ToList();
        return RenderInOrder(specs, options, lookAhead > 0 ? lookAhead : Math.Max(2, Environment.ProcessorCount));
    }

    private static IEnumerable<SyntheticCase> RenderInOrder(IReadOnlyList<CaseSpec> specs, RenderOptions options, int lookAhead)
    {
        var pending = new Queue<Task<SyntheticCase>>();
        var next = 0;
        while (next < specs.Count || pending.Count > 0)
        {
            while (pending.Count < lookAhead && next < specs.Count)
            {
                var spec = specs[next++];
                // One thread per case: cases in flight give the parallelism, slices inside a case stay sequential.
                pending.Enqueue(Task.Run(() => CaseRenderer.Render(spec, options, maxDegreeOfParallelism: 1)));
            }
            yield return pending.Dequeue().GetAwaiter().GetResult();
        }
    }
}
