using Iridium.Generators.Common;
using Iridium.Generators.Wire.Model;

namespace Iridium.Generators.Wire
{
    /// <summary>
    /// One [ModuleInitializer] per assembly that registers every formatter the assembly needs:
    /// its [MemoryPackable] types and the closed generic types they and its WireSerializer calls use.
    /// </summary>
    internal static class WireRegistrationEmitter
    {
        public const string HintName = "Iridium.Wire.Registrations.g.cs";

        public static string Emit(EquatableArray<RegistrationModel> registrations)
        {
            var w = new SourceWriter();
            w.Line(WireEmitter.Banner.TrimEnd('\n'));
            w.Open("namespace Iridium.Wire.Generated");
            w.Open("internal static class WireFormatterRegistrations");
            w.Line("[global::System.Runtime.CompilerServices.ModuleInitializer]");
            w.Open("internal static void Register()");
            foreach (var registration in registrations)
            {
                w.Line($"{WireEmitter.R}WireFormatterProvider.Register<{registration.TypeName}>({registration.FormatterExpression});");
            }
            w.Close();
            w.Close();
            w.Close();
            return w.ToString();
        }
    }
}
