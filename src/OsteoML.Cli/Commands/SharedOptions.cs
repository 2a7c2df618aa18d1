using System.CommandLine;
using OsteoML.Pipelines.Bundles;
using OsteoML.Pipelines.Segmentation;

namespace OsteoML.Cli.Commands;

/// <summary>
/// The options several commands share, made fresh per command (an option belongs to one command): the bundle (and the
/// shipped default when a screening command is given none), the
/// device, the cache, parallel jobs, the DICOM outputs and <c>--json</c>. Options with behaviour of their own live
/// beside them (<see cref="ShardOption"/>, <see cref="ResultsOption"/>).
/// </summary>
internal static class SharedOptions
{
    public static Option<DirectoryInfo?> DicomOut() => new("--dicom-out")
    {
        Description = "Also write a DICOM SR (TID 1500), SEG (vertebrae, L1/L2 ROIs) and the QA image as Secondary Capture into the source study, one folder per study under this one.",
    };

    public static Option<Uri?> Push() => new("--push")
    {
        Description = "Send the DICOM objects to this DICOMweb root with STOW-RS (e.g. http://pacs:8042/dicom-web). Credentials from "
                      + "OSTEOML_DICOMWEB_USER/OSTEOML_DICOMWEB_PASSWORD or OSTEOML_DICOMWEB_CREDENTIALS_FILE, never from the command line.",
        CustomParser = r => HttpUrl(r, "--push"),
    };

    /// <summary>An absolute http(s) URL, or a usage error naming <paramref name="name"/>.</summary>
    public static Uri? HttpUrl(System.CommandLine.Parsing.ArgumentResult result, string name)
    {
        var text = result.Tokens[0].Value;
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https") return uri;
        result.AddError($"{name}: '{text}' is not an http(s) URL");
        return null;
    }

    public static Option<DirectoryInfo> Model() => new("--model", "-m") { Description = "Model bundle folder (from osteoml train).", Required = true };

    /// <summary>--model for the commands that screen: optional, the shipped default bundle when not given.</summary>
    public static Option<DirectoryInfo?> ScreeningModel() => new("--model", "-m")
    {
        Description = $"Model bundle folder (from osteoml train). Default: the shipped {DefaultBundle.RelativePath} (synthetic training data, research use only).",
    };

    /// <summary>The bundle given with <see cref="ScreeningModel"/>, else the shipped default (one line naming it on stderr, so nobody uses it unknowingly).</summary>
    public static ModelBundle LoadBundle(CliContext context, DirectoryInfo? given)
    {
        if (given is not null) return ModelBundle.Load(given.FullName);
        var path = DefaultBundle.Locate()
                   ?? throw new FileNotFoundException($"no --model given and the default bundle {DefaultBundle.RelativePath} is not beside osteoml ({AppContext.BaseDirectory}) nor above the working directory; pass --model.");
        var bundle = ModelBundle.Load(path);
        context.Error.WriteLine($"notice: no --model given; using the shipped default bundle {DefaultBundle.Name}. {bundle.Manifest.IntendedUse}");
        return bundle;
    }

    public static Option<string> Device() => new("--device")
    {
        Description = "cpu, cuda or cuda:N (CUDA falls back to the CPU with a notice).",
        DefaultValueFactory = _ => "cpu",
        Validators = { r => { try { DeviceSelection.Parse(r.GetValueOrDefault<string>()); } catch (ArgumentException ex) { r.AddError($"--device: {ex.Message}"); } } },
    };

    public static Option<DirectoryInfo?> Cache() => new("--cache-dir") { Description = "Keep segmentations and features here and reuse them." };

    public static Option<int> Jobs() => new("--jobs", "-j")
    {
        Description = "Studies processed in parallel.",
        DefaultValueFactory = _ => 1,
        Validators = { r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--jobs must be at least 1"); } },
    };

    public static DeviceSelection DeviceOf(ParseResult parseResult, Option<string> device) => DeviceSelection.Parse(parseResult.GetValue(device)!);

    /// <summary>
    /// <c>--json</c> of a command that ends with a summary: stdout carries one JSON object (the command's
    /// <c>*Summary</c> record, camelCase) instead of the tables and lines a person reads; stderr is unchanged.
    /// </summary>
    public static Option<bool> Json(string what) => new("--json") { Description = $"Print {what} as one JSON object on stdout instead of tables." };
}
