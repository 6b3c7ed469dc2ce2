package marketplace.analysis;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.cjk.CJKWidthFilter;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;

/**
 * {@code cjk_width}: folds full-width ASCII ("ＡＤＣ") to half-width and half-width katakana to
 * full-width. Works per character, so it also normalizes the terms of wildcard, prefix and fuzzy
 * queries on text fields (Elasticsearch does not let stable-plugin filters into keyword normalizers).
 */
@NamedComponent("cjk_width")
public class CjkWidthTokenFilterFactory implements TokenFilterFactory {
    @Override
    public TokenStream create(TokenStream tokenStream) {
        return new CJKWidthFilter(tokenStream);
    }

    @Override
    public TokenStream normalize(TokenStream tokenStream) {
        return new CJKWidthFilter(tokenStream);
    }
}
