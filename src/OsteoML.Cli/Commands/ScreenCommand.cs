using System.CommandLine;
using System.Globalization;
using OsteoML.Domain;
using OsteoML.Pipelines.Bundles;
using OsteoML.Pipelines.Screening;
using OsteoML.Pipelines.Sinks;
using OsteoML.Cli.Sinks;
using OsteoML.Pipelines.Measurement;
using OsteoML.Pipelines.Segmentation;
using OsteoML.Pipelines.Studies;
using Spectre.Console;

namespace OsteoML.Cli.Commands;

/// <summary>
/// <c>osteoml screen [--model MODEL] STUDY [--json] [--qa-png FILE] [--dicom-out DIR] [--push URL]</c>: BMD, class, probabilities, per-level values,
/// site calibration and QA flags of the CT series in a folder (or of a NIfTI CT file). Exit 0 with a BMD, 3 when the series was read but
/// L1/L2 could not be named (no guess), 1 when it could not be read.
/// </summary>
internal static class ScreenCommand
{
    public static Command Create(CliContext context)
    {
        var model = SharedOptions.ScreeningModel();
        var folder = new Argument<FileSystemInfo>("STUDY") { Description = "Folder with the study's CT series (searched recursively for DICOM), or a NIfTI CT file (.nii, .nii.gz; scanner fields from a JSON sidecar beside it)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object per series instead of a table." };
        var qaPng = new Option<FileInfo?>("--qa-png") { Description = "Write the QA image (sagittal + coronal with masks, ROI, per-level HU and BMD) to this PNG." };
        var device = SharedOptions.Device();
        var cache = SharedOptions.Cache();
        var masks = new Option<FileSystemInfo?>("--masks")
        {
            Description = "Your own vertebra segmentation instead of the network: a label map (NIfTI) or a folder of vertebrae_<level>.nii.gz files (TotalSegmentator's output). Levels come from its labels.",
        };
        var masksScheme = new Option<string>("--masks-scheme")
        {
            Description = "How --masks numbers levels: total (TotalSegmentator's total task), verse (VerSe, vertebrae_pp_refined) or files.",
            DefaultValueFactory = _ => "total",
            Validators = { r => { try { VertebraLabelSchemes.Parse(r.GetValueOrDefault<string>()); } catch (ArgumentException ex) { r.AddError($"--masks-scheme: {ex.Message}"); } } },
        };
        var dicomOut = SharedOptions.DicomOut();
        var push = SharedOptions.Push();
        var command = new Command("screen", "Screen one CT study: BMD, class, QA flags and image.") { model, folder, json, qaPng, device, cache, masks, masksScheme, dicomOut, push };
        command.Validators.Add(r =>
        {
            if (r.GetValue(masks) is not null && r.GetValue(cache) is not null)
                r.AddError("--masks cannot be combined with --cache-dir: the cache holds the network's segmentations.");
        });
        command.SetAction(parseResult =>
        {
            var bundle = SharedOptions.LoadBundle(context, parseResult.GetValue(model));
            var studies = StudySource.FromPath(parseResult.GetValue(folder)!.FullName);
            if (studies.Studies.Count == 0)
                throw new InvalidDataException($"{parseResult.GetValue(folder)!.FullName}: no CT series to screen{(studies.Failures.Count > 0 ? $" ({studies.Failures[0].Reason})" : "")}.");
            if (parseResult.GetValue(masks) is { } own)
            {
                if (!own.Exists) throw new FileNotFoundException($"{own.FullName}: no such mask file or folder.");
                foreach (var study in studies.Studies)
                {
                    study.MasksPath = own.FullName;
                    study.MasksScheme = own is DirectoryInfo ? VertebraLabelScheme.Files : VertebraLabelSchemes.Parse(parseResult.GetValue(masksScheme)!);
                }
            }
            using var screener = new Screener(bundle, parseResult.GetValue(cache)?.FullName, SharedOptions.DeviceOf(parseResult, device));
            var asJson = parseResult.GetValue(json);
            Action<string>? wrote = asJson ? null : context.Out.WriteLine;
            var console = new ConsoleResultSink(context, asJson);
            using var sinks = new StudyResultSinks(
            [
                console,
                parseResult.GetValue(qaPng) is { } png ? QaImageSink.ToFile(png.FullName, studies.Studies.Count, path => wrote?.Invoke($"wrote {path}")) : null,
                DicomObjectsSink.Create(screener, parseResult.GetValue(dicomOut)?.FullName, parseResult.GetValue(push), line => context.Error.WriteLine("notice: " + line), wrote),
            ]);
            foreach (var study in studies.Studies) sinks.Write(screener.Run(study));
            sinks.Complete();
            var results = console.Results;
            if (screener.Runtime.Device.CudaDeviceId is not null && screener.DeviceNotice is { } notice) context.Error.WriteLine($"notice: {notice}");
            if (results.Any(r => r.Status == StudyStatus.Failed))
            {
                foreach (var failed in results.Where(r => r.Status == StudyStatus.Failed))
                    context.Error.WriteLine($"error: series {failed.SeriesInstanceUid}: {failed.Error}");
                return results.All(r => r.Status == StudyStatus.Failed) ? ExitCodes.Failure : ExitCodes.SomeInputsFailed;
            }
            return results.Any(r => r.Status == StudyStatus.Refused) ? ExitCodes.SomeInputsFailed : ExitCodes.Success;
        });
        return command;
    }

    internal static string F(double value, int decimals) => double.IsFinite(value) ? value.ToString("F" + decimals, CultureInfo.InvariantCulture) : "–";

    /// <summary>A progress bar on an interactive terminal; otherwise a line every tenth of the work (scripts and tests read the output).</summary>
    internal static T WithProgress<T>(CliContext context, string label, int total, Func<Action, T> work)
    {
        if (!context.Console.Profile.Capabilities.Interactive)
        {
            var done = 0;
            var gate = new Lock();
            return work(() =>
            {
                lock (gate)
                {
                    done++;
                    if (done == total || total >= 10 && done % Math.Max(1, total / 10) == 0) context.Error.WriteLine($"{label}: {done}/{total}");
                }
            });
        }
        T result = default!;
        context.Console.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(progress =>
            {
                var task = progress.AddTask(label, maxValue: total);
                result = work(() => task.Increment(1));
            });
        return result;
    }
}
