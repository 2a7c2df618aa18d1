using System.CommandLine;

namespace OsteoML.Cli.Commands;

/// <summary>
/// A command group whose issue has not landed: it is listed in the help so the shape of the tool is visible,
/// and it says so and fails instead of pretending to work.
/// </summary>
internal static class PendingCommand
{
    public static Command Create(string name, string description, string issue, CliContext context)
    {
        var command = new Command(name, $"{description} [not available yet]")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.SetAction(_ =>
        {
            context.Error.WriteLine($"error: 'osteoml {name}' is not available yet; it lands with the issue \"{issue}\".");
            return ExitCodes.Failure;
        });
        return command;
    }
}
