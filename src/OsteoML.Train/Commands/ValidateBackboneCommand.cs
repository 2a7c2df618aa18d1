using System.CommandLine;
using OsteoML.Cli;
using OsteoML.Models;

namespace OsteoML.Train.Commands;

/// <summary>
/// <c>osteoml-train validate</c>: measure a shipped backbone through ONNX Runtime on a synthetic cohort's test and
/// independent splits. The cases are rendered with the training code (TorchSharp), hence here and not in <c>osteoml</c>;
/// validation on real CTs with reference labels is <c>osteoml models validate DIR --reference REF</c>.
/// </summary>
internal static class ValidateBackboneCommand
{
    public static Command Create(CliContext context)
    {
        var directory = new Argument<string>("DIR") { Description = "A model directory (model.onnx + card.json): models/vbnet-lite or models/densenet-lite." };
        var segmentation = new Option<string?>("--segmentation")
        {
            Description = "Feature extractor only: also crop around this segmentation model's L1/L2 masks, as the pipeline does (e.g. models/vbnet-lite).",
        };
        var preset = new Option<string>("--preset") { Description = "Cohort preset whose test and independent splits it is measured on.", DefaultValueFactory = _ => "paper" };
        var seed = new Option<ulong>("--seed") { Description = "Cohort seed.", DefaultValueFactory = _ => 42 };
        var perSite = new Option<int?>("--per-site") { Description = "Only the first N cases of each site (default: every case of the splits)." };
        var cases = new Option<string?>("--cases-csv") { Description = "Write one row per case (level outcome, Dice, failure diagnosis) to this CSV." };
        var update = new Option<bool>("--update-card") { Description = "Segmentation model: write the measured metrics into the card (the ONNX file is untouched)." };
        var command = new Command("validate", "Measure a shipped model through ONNX Runtime on a cohort's test and independent splits: segmentation (per-site L1/L2 Dice, level identification, failure causes) or features (a ridge read-out of BMD).")
        {
            directory, segmentation, preset, seed, perSite, cases, update,
        };
        command.SetAction((parseResult, cancel) =>
        {
            var options = new BackboneValidationOptions
            {
                ModelDirectory = parseResult.GetValue(directory)!,
                SegmentationDirectory = parseResult.GetValue(segmentation),
                Preset = parseResult.GetValue(preset)!,
                Seed = parseResult.GetValue(seed),
                CasesPerSite = parseResult.GetValue(perSite),
                CasesCsv = parseResult.GetValue(cases),
                UpdateCard = parseResult.GetValue(update),
            };
            BackboneValidation.Run(options, line => context.Out.WriteLine(line), cancel);
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }
}
