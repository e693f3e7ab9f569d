# Asciidoctor extension used when the manual is built (doc/CMakeLists.txt): a cross
# reference that leads nowhere is a warning, so `--failure-level=WARN` fails the build.
# Asciidoctor itself reports a broken in-page reference only at INFO level, and never
# checks a reference into another page (xref:other.adoc#id[...]): both are checked here,
# against the source file of the target page and the ids that page defines.
require 'asciidoctor'
require 'asciidoctor/extensions'

module BoostTulipDoc
  module XrefCheck
    @pages = {}

    class << self
      include Asciidoctor::Logging

      # The parsed page at `file` (nil if there is none), parsed once per run and
      # quietly: its own warnings are reported when it is converted itself.
      def page(file, doc)
        return @pages[file] if @pages.key? file
        @pages[file] = nil
        return nil unless File.file? file
        saved = Asciidoctor::LoggerManager.logger
        Asciidoctor::LoggerManager.logger = Asciidoctor::NullLogger.new
        begin
          @pages[file] = Asciidoctor.load_file file, safe: doc.safe,
              attributes: (doc.options[:attributes] || {}).dup
        ensure
          Asciidoctor::LoggerManager.logger = saved
        end
      end

      def check(node)
        doc = node.document
        fragment = node.attributes['fragment']
        if (path = node.attributes['path'])
          # refid is the target's path without `.adoc`, then `#fragment` if any.
          base = File.expand_path node.attributes['refid'].split('#', 2)[0], doc.attr('docdir')
          if File.file? base + '.adoc'
            target = page base + '.adoc', doc
            return unless fragment && !(target.catalog[:refs].key? fragment)
            problem = %(no id '#{fragment}' in #{path.sub(/#.*/, '')})
          elsif File.exist? base
            return # a link to a file that is not a page
          else
            problem = %(no page #{base}.adoc)
          end
        else
          refid = node.attributes['refid']
          return if refid.nil_or_empty? || (doc.catalog[:refs].key? refid)
          problem = %(no id '#{refid}' in this page)
        end
        block = node.parent
        block = block.parent while block.respond_to?(:source_location) && !block.source_location &&
                                   block.respond_to?(:parent) && block.parent
        where = block.respond_to?(:source_location) ? block.source_location : nil
        text = %(broken cross reference #{node.target}: #{problem})
        logger.warn(where ? message_with_context(text, source_location: where) : text)
      end
    end

    # Line numbers for the warnings (the CLI has no option for it).
    class SourcemapOn < Asciidoctor::Extensions::Preprocessor
      def process(document, reader)
        document.sourcemap = true
        reader
      end
    end

    module Converter
      def convert_inline_anchor(node)
        XrefCheck.check node if node.type == :xref
        super
      end
    end
  end
end

(Asciidoctor::Converter.for 'html5').prepend BoostTulipDoc::XrefCheck::Converter
Asciidoctor::Extensions.register do
  preprocessor BoostTulipDoc::XrefCheck::SourcemapOn
end
