using System.CommandLine;
using OsteoML.Cli;
using OsteoML.Models;

namespace OsteoML.Train.Commands;

/// <summary><c>osteoml-train train</c>: train one backbone on a synthetic cohort's train split, write model.onnx + card.json.</summary>
internal static class TrainBackboneCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model") { Description = "Which backbone: vbnet (segmentation) or densenet (feature extractor).", Required = true };
        model.AcceptOnlyFromAmong("vbnet", "densenet");
        var preset = new Option<string>("--preset") { Description = "Cohort preset whose train split it learns from.", DefaultValueFactory = _ => "paper" };
        var seed = new Option<ulong>("--seed") { Description = "Seeds the cohort and the training.", DefaultValueFactory = _ => 42 };
        var output = new Option<string>("--out") { Description = "Directory for model.onnx and card.json.", Required = true };
        var steps = new Option<int?>("--steps") { Description = "Optimisation steps (default: the recipe's)." };
        var trainCases = new Option<int?>("--train-cases") { Description = "Use at most this many training cases (default: the recipe's)." };
        var validation = new Option<int>("--validation-per-site")
        {
            Description = "Test and independent cases validated per site (0: none).",
            DefaultValueFactory = _ => 10,
        };
        var tiny = new Option<bool>("--tiny") { Description = "The tiny recipe: a smoke run in seconds, not a usable model." };
        var checkpointEvery = new Option<int>("--checkpoint-every")
        {
            Description = "vbnet: every N steps write OUT/checkpoints/step-N (model.onnx + card.json) scored on held-out train cases (0: none).",
        };
        var checkpointCases = new Option<int>("--checkpoint-cases")
        {
            Description = "Train-split cases not trained on that checkpoints are scored on.",
            DefaultValueFactory = _ => 24,
        };
        var command = new Command("train", "Train a backbone on a synthetic cohort's train split and write model.onnx + card.json.")
        {
            model, preset, seed, output, steps, trainCases, validation, tiny, checkpointEvery, checkpointCases,
        };
        command.SetAction((parseResult, cancel) =>
        {
            var options = new BackboneTrainingOptions
            {
                Model = parseResult.GetValue(model)!,
                Preset = parseResult.GetValue(preset)!,
                Seed = parseResult.GetValue(seed),
                OutputDirectory = parseResult.GetValue(output)!,
                Steps = parseResult.GetValue(steps),
                TrainCases = parseResult.GetValue(trainCases),
                ValidationCasesPerSite = parseResult.GetValue(validation),
                Tiny = parseResult.GetValue(tiny),
                CheckpointEvery = parseResult.GetValue(checkpointEvery),
                CheckpointCases = parseResult.GetValue(checkpointCases),
            };
            var card = BackboneTraining.Run(options, line => context.Out.WriteLine(line), cancel);
            context.Out.WriteLine($"wrote {Path.Combine(options.OutputDirectory, card.File)} ({card.SizeBytes / 1024.0:F0} KiB, sha256 {card.Sha256}) in {card.Training.WallTimeMinutes} min");
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }
}
