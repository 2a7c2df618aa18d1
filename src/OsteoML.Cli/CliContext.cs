using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;

namespace OsteoML.Cli;

/// <summary>
/// What every command writes to: plain writers for machine-readable output (JSON lines, CSV) and a
/// Spectre console over the same writer for tables and progress. Tests pass StringWriters.
/// </summary>
public sealed class CliContext
{
    /// <summary>
    /// The width tables get when the output is not a terminal. Spectre.Console assumes 80 columns there and wraps
    /// cells, which breaks every line-oriented reader (grep, a spreadsheet import, a diff); tables do not expand, so a
    /// width this large only means "as wide as the content".
    /// </summary>
    public const int UnlimitedWidth = 100_000;

    /// <param name="output">Standard output (or a test's writer).</param>
    /// <param name="error">Standard error.</param>
    /// <param name="outputIsTerminal">True when <paramref name="output"/> is an interactive terminal, whose own width then applies.</param>
    public CliContext(TextWriter output, TextWriter error, bool outputIsTerminal = false)
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
        if (!outputIsTerminal) Console.Profile.Width = UnlimitedWidth;
    }

    public TextWriter Out { get; }
    public TextWriter Error { get; }
    public IAnsiConsole Console { get; }
    public bool Verbose { get; set; }

    /// <summary>The JSON of a command's <c>--json</c> summary: camelCase names and enum values, indented, nulls written.</summary>
    public static readonly JsonSerializerOptions SummaryJson = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DictionaryKeyPolicy = null,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>
    /// This context with stdout discarded: a command printing a <c>--json</c> summary keeps stdout for that one object.
    /// Not interactive, so progress goes to stderr as lines rather than as a bar drawn into the discarded output.
    /// </summary>
    public CliContext WithoutOutput()
    {
        var quiet = new CliContext(TextWriter.Null, Error) { Verbose = Verbose };
        quiet.Console.Profile.Capabilities.Interactive = false;
        return quiet;
    }

    /// <summary>Writes a <c>--json</c> summary to stdout as one JSON object.</summary>
    public void WriteSummary<T>(T summary) => Out.WriteLine(JsonSerializer.Serialize(summary, SummaryJson));
}
