using System.CommandLine;
using OsteoML.Cli;
using OsteoML.Train.Commands;

namespace OsteoML.Train;

/// <summary>
/// The <c>osteoml-train</c> command tree: backbone training and synthetic-split validation, the only commands that
/// need TorchSharp. Same error policy and exit codes as <c>osteoml</c> (<see cref="OsteoMLApp"/>).
/// </summary>
public static class TrainApp
{
    public static int Run(string[] args, CliContext context) => OsteoMLApp.Run(BuildRoot(context), args, context);

    public static RootCommand BuildRoot(CliContext context)
    {
        var root = OsteoMLApp.NewRoot(
            "osteoml-train: trains the segmentation (VB-Net-lite) and feature (DenseNet-lite) backbones on synthetic cohorts with TorchSharp, exports them to ONNX and validates them.",
            context);
        root.Subcommands.Add(TrainBackboneCommand.Create(context));
        root.Subcommands.Add(ValidateBackboneCommand.Create(context));
        return root;
    }
}
