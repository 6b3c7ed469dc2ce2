package marketplace.analysis;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.ngram.EdgeNGramTokenFilter;
import org.elasticsearch.plugin.Inject;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;
import org.elasticsearch.plugin.settings.AnalysisSettings;
import org.elasticsearch.plugin.settings.BooleanSetting;
import org.elasticsearch.plugin.settings.IntSetting;

/**
 * {@code edge_ngram}: the prefixes of each token, for search-as-you-type ("tox", "toxi", ...).
 * Settings: {@code min_gram} (default 1), {@code max_gram} (default 20), {@code preserve_original}
 * (default false: also keep a token longer than max_gram whole). Use it in the index analyzer only;
 * the search analyzer should leave the typed prefix alone.
 */
@NamedComponent("edge_ngram")
public class EdgeNGramTokenFilterFactory implements TokenFilterFactory {

    @AnalysisSettings
    public interface Settings {
        @IntSetting(path = "min_gram", defaultValue = 1)
        int minGram();

        @IntSetting(path = "max_gram", defaultValue = 20)
        int maxGram();

        @BooleanSetting(path = "preserve_original", defaultValue = false)
        boolean preserveOriginal();
    }

    private final int minGram;
    private final int maxGram;
    private final boolean preserveOriginal;

    @Inject
    public EdgeNGramTokenFilterFactory(Settings settings) {
        this.minGram = settings.minGram();
        this.maxGram = settings.maxGram();
        this.preserveOriginal = settings.preserveOriginal();
        if (minGram < 1 || maxGram < minGram) {
            throw new IllegalArgumentException(
                "edge_ngram needs 1 <= min_gram <= max_gram, got min_gram [" + minGram + "] and max_gram [" + maxGram + "]"
            );
        }
    }

    @Override
    public TokenStream create(TokenStream tokenStream) {
        return new EdgeNGramTokenFilter(tokenStream, minGram, maxGram, preserveOriginal);
    }
}
