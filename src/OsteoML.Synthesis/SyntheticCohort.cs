using OsteoML.Synthesis.Cohort;
using OsteoML.Synthesis.Rendering;
using OsteoML.Synthesis.Sampling;
using OsteoML.Synthesis.Truth;

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
        if (preset.FollowUps is not { } followUps) return new SyntheticCohort(preset, seed, cases);
        return new SyntheticCohort(preset, seed, WithFollowUps(preset, seed, cases, followUps));
    }

    /// <summary>The baseline cases (marked as such) followed by their patients' rescans and follow-ups, in baseline order.</summary>
    private static List<CaseSpec> WithFollowUps(CohortPreset preset, ulong seed, IReadOnlyList<CaseSpec> baselines, FollowUpOptions options)
    {
        var all = baselines.Select(c => c with { FollowUp = new FollowUpTruth(VisitKind.Baseline, c.CaseId, 0, 0, 0, []) }).ToList();
        foreach (var baseline in baselines)
        {
            var random = new SynthRandom(SynthRandom.Derive(seed, $"{preset.Name}/visits", baseline.Index));
            if (random.Bernoulli(options.RescanShare))
                all.Add(CaseSampler.SampleFollowUp(preset, seed, all.Count, baseline, baseline.Scanner, VisitKind.Rescan, random.Next(0, 15) / 365.25, 0, [],
                    options.RescanKeepsProtocol));
            if (!random.Bernoulli(options.Share)) continue;
            var stable = random.Bernoulli(options.StableShare);
            var loss = stable ? 0 : BoneLossModel.SampleAnnualLoss(baseline.Patient, random);
            var times = Enumerable.Range(0, random.Bernoulli(options.SecondShare) ? 2 : 1)
                .Select(_ => random.Uniform(options.MinYears, options.MaxYears)).Order().ToList();
            var fractures = new List<CompressionFracture>();
            foreach (var years in times)
            {
                var others = baseline.Hospital.Scanners.Where(s => s.Id != baseline.Scanner.Id).ToList();
                var scanner = others.Count > 0 && random.Bernoulli(options.OtherScannerShare) && !options.FollowUpsKeepProtocol
                    ? random.Choose(others, _ => 1) : baseline.Scanner;
                // New fractures at the prevalent model's risk for age and current BMD, scaled per year of follow-up.
                var bmdNow = baseline.Bone.TrueL1L2 * Math.Pow(1 - loss, years);
                var risk = stable ? 0 : 1 - Math.Exp(-options.NewFractureFactor * PathologyModel.FractureProbability(baseline.Patient.Age + years, bmdNow) * years);
                if (random.Bernoulli(risk) && PathologyModel.SampleNewFracture([.. baseline.Pathology.Fractures, .. fractures], random) is { } fracture)
                    fractures.Add(fracture);
                all.Add(CaseSampler.SampleFollowUp(preset, seed, all.Count, baseline, scanner, VisitKind.FollowUp, years, loss, fractures.ToList(),
                    options.FollowUpsKeepProtocol));
            }
        }
        return all;
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
