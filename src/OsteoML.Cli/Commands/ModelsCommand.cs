using System.CommandLine;

namespace OsteoML.Cli.Commands;

/// <summary><c>osteoml models</c>: train, export and verify the ONNX segmentation and DenseNet models.</summary>
internal static class ModelsCommand
{
    public static Command Create(CliContext context) =>
        PendingCommand.Create("models", "Train, export and verify the ONNX segmentation and DenseNet models.", "Backbones", context);
}
