using Spectre.Console;

namespace OsteoML.Cli;

/// <summary>
/// What every command writes to: plain writers for machine-readable output (JSON lines, CSV) and a
/// Spectre console over the same writer for tables and progress. Tests pass StringWriters.
/// </summary>
public sealed class CliContext
{
    public CliContext(TextWriter output, TextWriter error)
    {
        Out = output;
        Error = error;
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = AnsiSupport.Detect,
            ColorSystem = ColorSystemSupport.Detect,
            Interactive = InteractionSupport.Detect,
        });
    }

    public TextWriter Out { get; }
    public TextWriter Error { get; }
    public IAnsiConsole Console { get; }
    public bool Verbose { get; set; }
}
