using System.CommandLine;
using System.Globalization;
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
        var model = ScreeningModelOption();
        var folder = new Argument<FileSystemInfo>("STUDY") { Description = "Folder with the study's CT series (searched recursively for DICOM), or a NIfTI CT file (.nii, .nii.gz; scanner fields from a JSON sidecar beside it)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object per series instead of a table." };
        var qaPng = new Option<FileInfo?>("--qa-png") { Description = "Write the QA image (sagittal + coronal with masks, ROI, per-level HU and BMD) to this PNG." };
        var device = DeviceOption();
        var cache = CacheOption();
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
        var dicomOut = DicomOutOption();
        var push = PushOption();
        var command = new Command("screen", "Screen one CT study: BMD, class, QA flags and image.") { model, folder, json, qaPng, device, cache, masks, masksScheme, dicomOut, push };
        command.Validators.Add(r =>
        {
            if (r.GetValue(masks) is not null && r.GetValue(cache) is not null)
                r.AddError("--masks cannot be combined with --cache-dir: the cache holds the network's segmentations.");
        });
        command.SetAction(parseResult =>
        {
            var bundle = LoadBundle(context, parseResult.GetValue(model));
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
            using var screener = new Screener(bundle, parseResult.GetValue(cache)?.FullName, Device(parseResult, device));
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

    internal static Option<DirectoryInfo?> DicomOutOption() => new("--dicom-out")
    {
        Description = "Also write a DICOM SR (TID 1500), SEG (vertebrae, L1/L2 ROIs) and the QA image as Secondary Capture into the source study, one folder per study under this one.",
    };

    internal static Option<Uri?> PushOption() => new("--push")
    {
        Description = "Send the DICOM objects to this DICOMweb root with STOW-RS (e.g. http://pacs:8042/dicom-web). Credentials from "
                      + "OSTEOML_DICOMWEB_USER/OSTEOML_DICOMWEB_PASSWORD or OSTEOML_DICOMWEB_CREDENTIALS_FILE, never from the command line.",
        CustomParser = r => HttpUrl(r, "--push"),
    };

    /// <summary>An absolute http(s) URL, or a usage error naming <paramref name="name"/>.</summary>
    internal static Uri? HttpUrl(System.CommandLine.Parsing.ArgumentResult result, string name)
    {
        var text = result.Tokens[0].Value;
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https") return uri;
        result.AddError($"{name}: '{text}' is not an http(s) URL");
        return null;
    }

    internal static Option<DirectoryInfo> ModelOption() => new("--model", "-m") { Description = "Model bundle folder (from osteoml train).", Required = true };

    /// <summary>--model for the commands that screen: optional, the shipped default bundle when not given.</summary>
    internal static Option<DirectoryInfo?> ScreeningModelOption() => new("--model", "-m")
    {
        Description = $"Model bundle folder (from osteoml train). Default: the shipped {DefaultBundle.RelativePath} (synthetic training data, research use only).",
    };

    /// <summary>The bundle given with --model, else the shipped default (one line naming it on stderr, so nobody uses it unknowingly).</summary>
    internal static ModelBundle LoadBundle(CliContext context, DirectoryInfo? given)
    {
        if (given is not null) return ModelBundle.Load(given.FullName);
        var path = DefaultBundle.Locate()
                   ?? throw new FileNotFoundException($"no --model given and the default bundle {DefaultBundle.RelativePath} is not beside osteoml ({AppContext.BaseDirectory}) nor above the working directory; pass --model.");
        var bundle = ModelBundle.Load(path);
        context.Error.WriteLine($"notice: no --model given; using the shipped default bundle {DefaultBundle.Name}. {bundle.Manifest.IntendedUse}");
        return bundle;
    }

    internal static Option<string> DeviceOption() => new("--device")
    {
        Description = "cpu, cuda or cuda:N (CUDA falls back to the CPU with a notice).",
        DefaultValueFactory = _ => "cpu",
        Validators = { r => { try { DeviceSelection.Parse(r.GetValueOrDefault<string>()); } catch (ArgumentException ex) { r.AddError($"--device: {ex.Message}"); } } },
    };

    internal static Option<DirectoryInfo?> CacheOption() => new("--cache-dir") { Description = "Keep segmentations and features here and reuse them." };

    internal static Option<int> JobsOption() => new("--jobs", "-j")
    {
        Description = "Studies processed in parallel.",
        DefaultValueFactory = _ => 1,
        Validators = { r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--jobs must be at least 1"); } },
    };

    internal static DeviceSelection Device(ParseResult parseResult, Option<string> device) => DeviceSelection.Parse(parseResult.GetValue(device)!);

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
