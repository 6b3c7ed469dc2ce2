package marketplace.analysis;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.text.ParseException;
import java.util.List;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.cjk.CJKBigramFilter;
import org.apache.lucene.analysis.cjk.CJKWidthFilter;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.apache.lucene.analysis.synonym.SolrSynonymParser;
import org.apache.lucene.analysis.synonym.SynonymGraphFilter;
import org.apache.lucene.analysis.synonym.SynonymMap;
import org.apache.lucene.util.CharsRef;
import org.apache.lucene.util.CharsRefBuilder;
import org.elasticsearch.plugin.Inject;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;
import org.elasticsearch.plugin.settings.AnalysisSettings;
import org.elasticsearch.plugin.settings.BooleanSetting;
import org.elasticsearch.plugin.settings.ListSetting;

/**
 * {@code synonym_graph}: multi-word, multi-language synonyms from rules given inline.
 *
 * <p>Settings:
 * <ul>
 *   <li>{@code synonyms}: list of rules in Solr format, e.g. {@code "adc, antibody-drug conjugate, 抗体偶联药物"}
 *       (equivalent terms) or {@code "mab => monoclonal antibody"} (one-way);
 *   <li>{@code expand} (default true): equivalent terms all map to all; false maps them all to the first;
 *   <li>{@code lenient} (default false): skip a rule that analyses to nothing instead of failing.
 * </ul>
 *
 * <p>The rules are analysed with standard tokenizer, cjk_width, lowercase and cjk_bigram (without
 * unigrams), so they match text analysed by a chain of those same filters: put this filter right
 * after cjk_bigram, and before stop words and stemming. The {@link SynonymMap} is built once, when
 * the index's analysis is set up; it is meant for search_analyzer (the token graph it makes is not
 * indexable as is).
 */
@NamedComponent("synonym_graph")
public class SynonymGraphTokenFilterFactory implements TokenFilterFactory {

    @AnalysisSettings
    public interface Settings {
        @ListSetting(path = "synonyms")
        List<String> synonyms();

        @BooleanSetting(path = "expand", defaultValue = true)
        boolean expand();

        @BooleanSetting(path = "lenient", defaultValue = false)
        boolean lenient();
    }

    private final SynonymMap synonymMap;

    @Inject
    public SynonymGraphTokenFilterFactory(Settings settings) {
        this.synonymMap = buildSynonymMap(settings.synonyms(), settings.expand(), settings.lenient());
    }

    @Override
    public TokenStream create(TokenStream tokenStream) {
        // An empty rule list builds a map without an FST, which SynonymGraphFilter rejects.
        if (synonymMap.fst == null) {
            return tokenStream;
        }
        // The map is lowercased; ignoreCase also matches input that was not lowercased first.
        return new SynonymGraphFilter(tokenStream, synonymMap, true);
    }

    /** The chain that the rules are analysed with. */
    static Analyzer ruleAnalyzer() {
        return new Analyzer() {
            @Override
            protected TokenStreamComponents createComponents(String fieldName) {
                Tokenizer tokenizer = new StandardTokenizer();
                TokenStream stream = new CJKWidthFilter(tokenizer);
                stream = new LowerCaseFilter(stream);
                stream = new CJKBigramFilter(stream);
                return new TokenStreamComponents(tokenizer, stream);
            }
        };
    }

    static SynonymMap buildSynonymMap(List<String> rules, boolean expand, boolean lenient) {
        try (Analyzer analyzer = ruleAnalyzer()) {
            RuleParser parser = new RuleParser(expand, analyzer, lenient);
            parser.parse(new StringReader(String.join("\n", rules)));
            return parser.build();
        } catch (ParseException e) {
            String why = e.getCause() == null ? "" : " (" + e.getCause().getMessage() + ")";
            throw new IllegalArgumentException("synonym_graph: " + e.getMessage() + why, e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SolrSynonymParser that, when lenient, skips a term that analyses to nothing (or to stacked tokens). */
    private static final class RuleParser extends SolrSynonymParser {
        private final boolean lenient;

        RuleParser(boolean expand, Analyzer analyzer, boolean lenient) {
            super(true, expand, analyzer);
            this.lenient = lenient;
        }

        @Override
        public CharsRef analyze(String text, CharsRefBuilder reuse) throws IOException {
            try {
                return super.analyze(text, reuse);
            } catch (IllegalArgumentException e) {
                if (lenient == false) {
                    throw e;
                }
                return new CharsRef(); // marks the term as skipped, see add()
            }
        }

        @Override
        public void add(CharsRef input, CharsRef output, boolean includeOrig) {
            if (input.length > 0 && output.length > 0) {
                super.add(input, output, includeOrig);
            }
        }
    }
}
