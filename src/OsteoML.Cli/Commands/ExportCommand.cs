using System.CommandLine;
using OsteoML.Export;
using OsteoML.Export.ModelBuilder;
using OsteoML.Export.Onnx;
using OsteoML.Pipelines.Bundles;
using OsteoML.Pipelines.Heads;
using OsteoML.Pipelines.Studies;

namespace OsteoML.Cli.Commands;

/// <summary>
/// <c>osteoml export model-builder|onnx --model MODEL --out DIR</c>: a trained bundle as ML.NET Model Builder files
/// (the heads over the feature table) or as an ONNX chain (segmentation, DenseNet, heads, and how they connect).
/// </summary>
internal static class ExportCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("export", "Export a trained model as Model Builder files or as ONNX models.");
        command.Subcommands.Add(ModelBuilder(context));
        command.Subcommands.Add(Onnx(context));
        return command;
    }

    private static Option<DirectoryInfo> OutOption() => new("--out", "-o") { Description = "Folder to write.", Required = true };

    private static Command ModelBuilder(CliContext context)
    {
        var model = SharedOptions.Model();
        var output = OutOption();
        var name = new Option<string>("--name") { Description = "Prefix of the models' class and file names (<Name>Bmd, <Name>Class).", DefaultValueFactory = _ => "OsteoML" };
        var @namespace = new Option<string>("--namespace") { Description = "Namespace of the generated classes.", DefaultValueFactory = _ => "OsteoML.Exported" };
        var cohort = new Option<DirectoryInfo?>("--cohort", "-c") { Description = "Cohort the model was trained on: its train split becomes the training data file (<Name>.training-data.csv)." };
        var cache = SharedOptions.Cache();
        var jobs = SharedOptions.Jobs();
        var command = new Command("model-builder", "Write the heads as ML.NET Model Builder files: .mbconfig, .mlnet, .consumption.cs, .training.cs.")
        {
            model, output, name, @namespace, cohort, cache, jobs,
        };
        command.SetAction(parseResult =>
        {
            var bundle = ModelBundle.Load(parseResult.GetValue(model)!.FullName);
            var heads = BundleHeads.FromBundle(bundle);
            IReadOnlyList<ScreeningHeads.FeatureRow>? rows = null;
            var skipped = 0;
            if (parseResult.GetValue(cohort) is { } cohortDirectory)
            {
                var studies = StudySource.FromManifest(Path.Combine(cohortDirectory.FullName, "manifest.csv"), cohortDirectory.FullName, s => s.Split == "train");
                foreach (var failure in studies.Failures) context.Error.WriteLine($"skipped {failure.Location}: {failure.Reason}");
                var cacheDirectory = parseResult.GetValue(cache)?.FullName ?? Path.Combine(cohortDirectory.FullName, ".osteoml-cache");
                var features = ScreenCommand.WithProgress(context, "training studies", studies.Studies.Count, advance =>
                    BundleFeatures.Extract(bundle, studies.Studies, cacheDirectory, parseResult.GetValue(jobs), _ => advance()));
                // Studies without a BMD or a reference were not trained on either: a note, not a failure.
                foreach (var f in features.Where(f => f.Error is null && (!f.Measurable || !f.Study.HasLabels)))
                    context.Error.WriteLine($"left out study {f.Study.StudyId}, as in training: {(f.Measurable ? "no reference BMD" : $"no BMD ({f.LevelReason})")}");
                foreach (var f in features.Where(f => f.Error is not null))
                {
                    skipped++;
                    context.Error.WriteLine($"skipped study {f.Study.StudyId}: {f.Error}");
                }
                rows = features.Where(f => f.Error is null && f.Measurable && f.Study.HasLabels)
                    .Select(f => new ScreeningHeads.FeatureRow { Features = f.Features, Bmd = f.Study.Bmd, Class = f.Study.Class }).ToList();
                if (rows.Count == 0) throw new InvalidDataException($"{cohortDirectory.FullName}: no training study has features; nothing to write as training data.");
            }
            var files = ModelBuilderExporter.Export(heads, parseResult.GetValue(output)!.FullName, new ModelBuilderOptions
            {
                Name = parseResult.GetValue(name)!,
                Namespace = parseResult.GetValue(@namespace)!,
                TrainingRows = rows,
            });
            foreach (var m in new[] { files.Bmd, files.Class })
                context.Out.WriteLine($"{m.ClassName} ({m.Scenario}): {Path.GetFileName(m.MbConfig)}, {Path.GetFileName(m.MlNet)}, {Path.GetFileName(m.Consumption)}, {Path.GetFileName(m.Training)}");
            context.Out.WriteLine($"BMD head: {heads.Bmd.Family.Name} ({heads.Bmd.Parameters}), {heads.Bmd.Choice}; class head: {heads.Class.Family.Name} ({heads.Class.Parameters}), {heads.Class.Choice}");
            context.Out.WriteLine(files.DataWritten
                ? $"training data: {Path.GetFileName(files.DataFile)} ({rows!.Count} studies, {heads.Layout.Length} features)"
                : $"no training data written (pass --cohort to write {Path.GetFileName(files.DataFile)})");
            context.Out.WriteLine($"packages: {string.Join(", ", files.Packages)}; see {files.Readme}");
            return skipped > 0 ? ExitCodes.SomeInputsFailed : ExitCodes.Success;
        });
        return command;
    }

    private static Command Onnx(CliContext context)
    {
        var model = SharedOptions.Model();
        var output = OutOption();
        var command = new Command("onnx", "Write the segmentation, DenseNet and heads as ONNX models and chain.json (how they connect).") { model, output };
        command.SetAction(parseResult =>
        {
            var export = OnnxExporter.Export(ModelBundle.Load(parseResult.GetValue(model)!.FullName), parseResult.GetValue(output)!.FullName);
            var chain = OnnxChain.Read(export.Chain);
            foreach (var m in chain.Models)
                context.Out.WriteLine($"{m.Role}: {m.File} ({string.Join(", ", m.Inputs.Select(i => $"{i.Name} [{string.Join(", ", i.Shape)}]"))} → {string.Join(", ", m.Outputs.Select(o => o.Name))})");
            context.Out.WriteLine($"chain: {string.Join(" → ", chain.Steps.Select(s => s.Name))} ({Path.GetFileName(export.Chain)}); "
                + $"{export.SiteProfiles.Count} site profile(s); heads checked against ML.NET on probe rows: largest relative difference {export.ProbeMaxDifference:G2}");
            return ExitCodes.Success;
        });
        return command;
    }
}
