using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Iridium.Generators.Common
{
    /// <summary>
    /// A location without a reference to the syntax tree, so it can live in a cached model.
    /// </summary>
    internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
    {
        public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);

        public static LocationInfo? From(Location? location)
        {
            if (location is null || location.SourceTree is null) return null;
            return new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
        }
    }

    /// <summary>
    /// A diagnostic as a value: descriptor plus string arguments plus location. Reported from its
    /// own pipeline output, so source output is re-emitted only when the model changes.
    /// </summary>
    internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, LocationInfo? Location, EquatableArray<string> Arguments)
    {
        public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, Location? location, params string[] arguments)
            => new DiagnosticInfo(descriptor, LocationInfo.From(location), arguments.ToEquatableArray());

        public Diagnostic ToDiagnostic()
        {
            var args = new object[Arguments.Count];
            for (int i = 0; i < args.Length; i++) args[i] = Arguments[i];
            return Diagnostic.Create(Descriptor, Location?.ToLocation(), args);
        }
    }
}
