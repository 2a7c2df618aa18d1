using System.CommandLine;
using OsteoML.Models.Cards;

namespace OsteoML.Cli.Commands;

/// <summary><c>osteoml models</c>: train, export and verify the ONNX segmentation and DenseNet models.</summary>
internal static class ModelsCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("models", "Train, export and verify the ONNX segmentation and DenseNet models.");
        command.Subcommands.Add(Verify(context));
        return command;
    }

    private static Command Verify(CliContext context)
    {
        var directories = new Argument<string[]>("DIR")
        {
            Description = "Model directories, each with model.onnx and card.json (e.g. models/vbnet-lite).",
            Arity = ArgumentArity.OneOrMore,
        };
        var command = new Command("verify", "Check each model's sha256 and IO contract against its card; exit 1 on any mismatch.") { directories };
        command.SetAction(parseResult =>
        {
            var failed = 0;
            foreach (var directory in parseResult.GetValue(directories)!)
            {
                var problems = Directory.Exists(directory) ? ModelVerifier.Verify(directory) : [$"{directory}: no such directory"];
                if (problems.Count == 0)
                {
                    var card = ModelCard.Read(Path.Combine(directory, ModelCard.FileName));
                    context.Out.WriteLine($"{directory}: ok ({card.Name}, sha256 {card.Sha256[..12]}…, inputs {Describe(card.Inputs)}, outputs {Describe(card.Outputs)})");
                    continue;
                }
                failed++;
                foreach (var problem in problems)
                    context.Error.WriteLine($"error: {problem}");
            }
            return failed == 0 ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }

    private static string Describe(IEnumerable<TensorSpec> specs) =>
        string.Join(", ", specs.Select(s => $"{s.Name} {s.ElementType}[{string.Join("×", s.Shape)}]"));
}
