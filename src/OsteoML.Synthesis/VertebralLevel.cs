namespace OsteoML.Synthesis;

/// <summary>The vertebrae the phantom models, cranial to caudal. T10–T12 carry ribs (the landmark for counting).</summary>
public enum VertebralLevel
{
    T10,
    T11,
    T12,
    L1,
    L2,
    L3,
    L4,
    L5,
}

public static class VertebralLevels
{
    public static IReadOnlyList<VertebralLevel> All { get; } = Enum.GetValues<VertebralLevel>();

    public static int Count => All.Count;

    public static bool IsThoracic(this VertebralLevel level) => level <= VertebralLevel.T12;

    public static bool HasRibs(this VertebralLevel level) => level.IsThoracic();

    /// <summary>The level below, or "S1" below L5 (the sacrum closes the modelled column).</summary>
    public static string NameBelow(this VertebralLevel level) => level == VertebralLevel.L5 ? "S1" : (level + 1).ToString();
}
