using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using OsteoML.Domain;
using OsteoML.Synthesis;
using OsteoML.Synthesis.Cohort;
using OsteoML.Synthesis.Output;
using OsteoML.Synthesis.Rendering;

namespace OsteoML.Bench.Synthesis;

/// <summary>
/// The cohort generator's speed targets (issue 4), DICOM and NIfTI writing included:
/// <list type="bullet">
/// <item><see cref="ReducedCohortOf20"/>: 20 <c>reduced</c> cases of the paper preset written by the cohort writer
/// (parallel over cases). Target ≥ 2 cases/s on 2 cores, i.e. ≤ 10 s per operation.</item>
/// <item><see cref="FullCase"/>: one <c>full</c> (512×512) case covering T11–L4 at 1–1.25 mm slices, rendered with
/// slices in parallel and written. Target ≤ 3 s on 2 cores.</item>
/// </list>
/// <c>dotnet run -c Release --project bench/OsteoML.Bench -- --filter '*SynthesisBenchmarks*'</c>. The whole paper
/// preset is timed with the command line (docs/performance.md).
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
[MemoryDiagnoser]
public class SynthesisBenchmarks
{
    private const ulong Seed = 42;
    private SyntheticCohort _first20 = null!;
    private SyntheticCohort _paper = null!;
    private CaseSpec _fullCase = null!;
    private string _output = "";

    [GlobalSetup]
    public void Setup()
    {
        _paper = SyntheticCohort.Create(CohortPreset.Paper, Seed);
        _first20 = _paper.Subset(c => c.Index < 20);
        // A typical full case: T11–L4 in the series, thin slices (the most voxels a routine series has).
        _fullCase = _paper.Cases.First(c =>
            c.Coverage.Covers(VertebralLevel.T11) && c.Coverage.Covers(VertebralLevel.L4) && !c.Coverage.Covers(VertebralLevel.L5)
            && c.Acquisition.Slice.SpacingMm is >= 1.0 and <= 1.25);
        _output = Path.Combine(Path.GetTempPath(), $"osteoml-bench-synth-{Guid.NewGuid():N}");
    }

    [IterationCleanup]
    public void Clean()
    {
        if (Directory.Exists(_output))
            Directory.Delete(_output, recursive: true);
    }

    [Benchmark]
    public int ReducedCohortOf20()
    {
        return CohortWriter.Write(_first20, _output, RenderOptions.Reduced).Written;
    }

    [Benchmark]
    public int FullCase()
    {
        var synthetic = CaseRenderer.Render(_fullCase, RenderOptions.Full);
        var files = CaseDicomWriter.Write(synthetic, Path.Combine(_output, "dicom"));
        Imaging.Nifti.NiftiFile.Write(Path.Combine(_output, "labels.nii.gz"), synthetic.Labels);
        return files.Count;
    }
}
