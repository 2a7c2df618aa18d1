namespace OsteoML.Domain;

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
