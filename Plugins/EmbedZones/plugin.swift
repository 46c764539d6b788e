import Foundation
import PackagePlugin

/// Compiles `Data/zones.tsv` into the HuojuZones module, so every huojud finds the built-in
/// gazetteer whatever its working directory or install location. Editing the file rebuilds.
@main
struct EmbedZones: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let input = context.package.directoryURL.appending(path: "Data/zones.tsv")
        let output = context.pluginWorkDirectoryURL.appending(path: "BundledZones.swift")
        return [.buildCommand(
            displayName: "Embedding Data/zones.tsv",
            executable: try context.tool(named: "huoju-embed").url,
            arguments: [input.path(), output.path(), "BundledZones"],
            inputFiles: [input],
            outputFiles: [output]
        )]
    }
}
