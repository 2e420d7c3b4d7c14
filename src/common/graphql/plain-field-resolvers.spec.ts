import { GraphQLBoolean, GraphQLObjectType, GraphQLSchema, GraphQLString, graphqlSync } from 'graphql';
import { withoutPlainFieldResolvers } from './plain-field-resolvers';

/** The resolver @nestjs/graphql gives every code-first field (its name included: that is how it is recognised). */
function nestResolver(property: string, defaultValue?: unknown) {
  const rootFieldResolver = (root: Record<string, unknown>) => {
    const value = root[property];
    return typeof value === 'undefined' ? defaultValue : value;
  };
  return rootFieldResolver;
}

describe('withoutPlainFieldResolvers', () => {
  const build = () =>
    new GraphQLSchema({
      query: new GraphQLObjectType({
        name: 'Query',
        fields: {
          plain: { type: GraphQLString, resolve: nestResolver('plain') },
          renamed: { type: GraphQLString, resolve: nestResolver('other') },
          withDefault: { type: GraphQLBoolean, resolve: nestResolver('withDefault', false) },
          own: { type: GraphQLString, resolve: () => 'computed' },
        },
      }),
    });

  it('takes off only the resolvers that read their own name without a default, and answers the same', () => {
    const before = graphqlSync({ schema: build(), source: '{ plain renamed withDefault own }', rootValue: { plain: 'p', other: 'o' } });
    const schema = withoutPlainFieldResolvers(build());
    const fields = schema.getQueryType()!.getFields();
    expect(fields.plain.resolve).toBeUndefined();
    expect(fields.renamed.resolve).toBeDefined();
    expect(fields.withDefault.resolve).toBeDefined();
    expect(fields.own.resolve).toBeDefined();
    const after = graphqlSync({ schema, source: '{ plain renamed withDefault own }', rootValue: { plain: 'p', other: 'o' } });
    expect(after).toEqual(before);
    expect(after.data).toEqual({ plain: 'p', renamed: 'o', withDefault: false, own: 'computed' });
  });
});
