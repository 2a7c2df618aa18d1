using System.Text.Json;
using OsteoML.Dicom;
using OsteoML.Domain;
using OsteoML.Imaging.Nifti;
using OsteoML.Synthesis.Cohort;
using OsteoML.Synthesis.Rendering;

namespace OsteoML.Synthesis.Output;

/// <summary>A case the writer could not produce, and why.</summary>
public sealed record CohortWriteFailure(string CaseId, string Reason);

public sealed record CohortWriteResult(int Written, IReadOnlyList<CohortWriteFailure> Failures);

/// <summary>
/// Writes a cohort to a directory:
/// <code>
/// DIR/manifest.csv                       one row per case (<see cref="Manifest"/>)
/// DIR/labels.json                        label value → name
/// DIR/cohort.json                        preset (in full), seed, size, transfer syntax
/// DIR/cases/case-00001/dicom/CT00001.dcm one file per slice, instance 1 most cranial
/// DIR/cases/case-00001/labels.nii.gz     the true label map on the series' grid
/// </code>
/// Cases render and write in parallel; a case that fails is recorded and the rest carry on. The output is
/// byte-identical for the same preset, seed, size and transfer syntax.
/// </summary>
public static class CohortWriter
{
    public static CohortWriteResult Write(SyntheticCohort cohort, string directory, RenderOptions options,
        DicomTransferSyntax? transferSyntax = null, int maxDegreeOfParallelism = -1, IProgress<string>? progress = null,
        CancellationToken cancellation = default)
    {
        var syntax = transferSyntax ?? DicomTransferSyntax.ExplicitVRLittleEndian;
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "labels.json"), SyntheticLabels.LegendJson() + "\n");
        File.WriteAllText(Path.Combine(directory, "cohort.json"), JsonSerializer.Serialize(new
        {
            preset = cohort.Preset.Name,
            seed = cohort.Seed,
            size = options.Size.ToString().ToLowerInvariant(),
            transferSyntax = syntax.UID,
            cases = cohort.Cases.Count,
            definition = cohort.Preset,
        }, CohortPreset.JsonOptions) + "\n");

        var rows = new IReadOnlyList<(string, string)>?[cohort.Cases.Count];
        var failures = new List<CohortWriteFailure>();
        var parallelism = maxDegreeOfParallelism > 0 ? maxDegreeOfParallelism : Environment.ProcessorCount;
        Parallel.For(0, cohort.Cases.Count, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellation }, position =>
        {
            var spec = cohort.Cases[position];
            try
            {
                // One case per worker keeps the cores busy without nested slice parallelism.
                var synthetic = CaseRenderer.Render(spec, options, maxDegreeOfParallelism: 1);
                var caseDir = $"cases/{spec.CaseId}";
                var seriesDir = $"{caseDir}/dicom";
                var labelPath = $"{caseDir}/labels.nii.gz";
                CaseDicomWriter.Write(synthetic, Path.Combine(directory, seriesDir), syntax);
                NiftiFile.Write(Path.Combine(directory, labelPath), synthetic.Labels, $"osteoml synthetic labels {spec.CaseId}");
                rows[position] = Manifest.Row(synthetic, seriesDir, labelPath);
                progress?.Report(spec.CaseId);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                lock (failures)
                    failures.Add(new CohortWriteFailure(spec.CaseId, ex.Message));
            }
        });
        var written = rows.Where(r => r is not null).Select(r => r!).ToList();
        Manifest.Write(Path.Combine(directory, "manifest.csv"), written);
        return new CohortWriteResult(written.Count, failures.OrderBy(f => f.CaseId, StringComparer.Ordinal).ToList());
    }
}
