using System.Globalization;

namespace OsteoML.AutoTune.Search;

/// <summary>
/// One hyper-parameter of a search space. Every parameter maps its values to the unit interval [0, 1) and back,
/// so tuners work on a plain unit hypercube and never see the parameter's kind.
/// </summary>
public abstract class SearchParameter
{
    protected SearchParameter(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    public string Name { get; }

    /// <summary>The value a cost-frugal search starts from (the cheap end for sizes, the library default otherwise).</summary>
    public abstract object Start { get; }

    /// <summary>Number of distinct values, or null when the parameter is continuous. Grid search uses it.</summary>
    public abstract int? Cardinality { get; }

    /// <summary>True for a choice: its unit-interval positions carry no order, so "near" means nothing.</summary>
    public virtual bool IsUnordered => false;

    /// <summary>The value at position <paramref name="u"/> of the unit interval (clamped into [0, 1)).</summary>
    public abstract object FromUnit(double u);

    /// <summary>The unit-interval position of <paramref name="value"/> (the centre of its cell for discrete values).</summary>
    public abstract double ToUnit(object value);

    /// <summary>A float in [min, max], uniform or log-uniform (min &gt; 0).</summary>
    public static SearchParameter Float(string name, double min, double max, double start, bool log = false) =>
        new FloatParameter(name, min, max, start, log);

    /// <summary>An integer in [min, max] inclusive, uniform or log-uniform (min &gt; 0).</summary>
    public static SearchParameter Int(string name, int min, int max, int start, bool log = false) =>
        new IntParameter(name, min, max, start, log);

    /// <summary>One of a fixed list of values (strings, numbers or booleans); the order carries no meaning.</summary>
    public static SearchParameter Choice(string name, IReadOnlyList<object> values, object? start = null) =>
        new ChoiceParameter(name, values, start ?? values[0]);

    private protected static void CheckRange(string name, double min, double max, double start, bool log)
    {
        if (!(min < max)) throw new ArgumentException($"parameter {name}: min {min} must be below max {max}.");
        if (log && min <= 0) throw new ArgumentException($"parameter {name}: a log-scaled range needs min > 0 (got {min}).");
        if (start < min || start > max) throw new ArgumentException($"parameter {name}: start {start} is outside [{min}, {max}].");
    }

    internal static double ClampUnit(double u) => double.IsNaN(u) ? 0 : Math.Clamp(u, 0, Math.BitDecrement(1.0));

    public override string ToString() => Name;
}

internal sealed class FloatParameter : SearchParameter
{
    private readonly double _min, _max;
    private readonly bool _log;

    public FloatParameter(string name, double min, double max, double start, bool log) : base(name)
    {
        CheckRange(name, min, max, start, log);
        (_min, _max, _log, Start) = (min, max, log, start);
    }

    public override object Start { get; }
    public override int? Cardinality => null;

    public override object FromUnit(double u)
    {
        u = ClampUnit(u);
        return _log ? Math.Exp(Math.Log(_min) + u * (Math.Log(_max) - Math.Log(_min))) : _min + u * (_max - _min);
    }

    public override double ToUnit(object value)
    {
        var v = Math.Clamp(Convert.ToDouble(value, CultureInfo.InvariantCulture), _min, _max);
        return ClampUnit(_log ? (Math.Log(v) - Math.Log(_min)) / (Math.Log(_max) - Math.Log(_min)) : (v - _min) / (_max - _min));
    }
}

/// <summary>
/// Integers split the unit interval into equal cells (equal in log space when log-scaled): value i owns the cell
/// [F(i − ½), F(i + ½)) so that every integer, the end points included, gets its fair share.
/// </summary>
internal sealed class IntParameter : SearchParameter
{
    private readonly int _min, _max;
    private readonly bool _log;

    public IntParameter(string name, int min, int max, int start, bool log) : base(name)
    {
        CheckRange(name, min, max, start, log);
        (_min, _max, _log, Start) = (min, max, log, start);
    }

    public override object Start { get; }
    public override int? Cardinality => _max - _min + 1;

    private double Lo => _log ? Math.Log(_min - 0.5) : _min - 0.5;
    private double Hi => _log ? Math.Log(_max + 0.5) : _max + 0.5;

    public override object FromUnit(double u)
    {
        u = ClampUnit(u);
        var x = Lo + u * (Hi - Lo);
        var v = (int)Math.Round(_log ? Math.Exp(x) : x, MidpointRounding.AwayFromZero);
        return Math.Clamp(v, _min, _max);
    }

    public override double ToUnit(object value)
    {
        var v = Math.Clamp(Convert.ToInt32(value, CultureInfo.InvariantCulture), _min, _max);
        // Centre of the cell that rounds to v.
        double lower = v == _min ? Lo : (_log ? Math.Log(v - 0.5) : v - 0.5);
        double upper = v == _max ? Hi : (_log ? Math.Log(v + 0.5) : v + 0.5);
        return ClampUnit(((lower + upper) / 2 - Lo) / (Hi - Lo));
    }
}

internal sealed class ChoiceParameter : SearchParameter
{
    private readonly object[] _values;

    public ChoiceParameter(string name, IReadOnlyList<object> values, object start) : base(name)
    {
        if (values.Count == 0) throw new ArgumentException($"parameter {name}: a choice needs at least one value.");
        if (values.Distinct().Count() != values.Count) throw new ArgumentException($"parameter {name}: choices must be distinct.");
        if (!values.Contains(start)) throw new ArgumentException($"parameter {name}: start {start} is not one of the choices.");
        (_values, Start) = (values.ToArray(), start);
    }

    public override object Start { get; }
    public override int? Cardinality => _values.Length;
    public override bool IsUnordered => true;

    public override object FromUnit(double u) => _values[Math.Min((int)(ClampUnit(u) * _values.Length), _values.Length - 1)];

    public override double ToUnit(object value)
    {
        var i = Array.IndexOf(_values, value);
        if (i < 0) throw new ArgumentException($"parameter {Name}: {value} is not one of the choices.");
        return (i + 0.5) / _values.Length;
    }
}
