package io.fleetpulse.api.graphql;

import graphql.GraphQLContext;
import graphql.execution.CoercedVariables;
import graphql.language.ArrayValue;
import graphql.language.BooleanValue;
import graphql.language.EnumValue;
import graphql.language.FloatValue;
import graphql.language.IntValue;
import graphql.language.NullValue;
import graphql.language.ObjectField;
import graphql.language.ObjectValue;
import graphql.language.StringValue;
import graphql.language.Value;
import graphql.language.VariableReference;
import graphql.schema.Coercing;
import graphql.schema.CoercingParseLiteralException;
import graphql.schema.GraphQLScalarType;
import io.fleetpulse.model.ModelJson;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code scalar JSON}: any JSON value, as maps, lists, strings, numbers, booleans. */
final class JsonScalar {

  static final GraphQLScalarType INSTANCE =
      GraphQLScalarType.newScalar()
          .name("JSON")
          .description("any JSON value")
          .coercing(new JsonCoercing())
          .build();

  private JsonScalar() {}

  private static final class JsonCoercing implements Coercing<Object, Object> {
    @Override
    public Object serialize(Object value, GraphQLContext context, Locale locale) {
      return ModelJson.mapper().convertValue(value, Object.class);
    }

    @Override
    public Object parseValue(Object input, GraphQLContext context, Locale locale) {
      return input;
    }

    @Override
    public Object parseLiteral(
        Value<?> input, CoercedVariables variables, GraphQLContext context, Locale locale) {
      return literal(input, variables);
    }

    private static Object literal(Value<?> v, CoercedVariables variables) {
      if (v instanceof NullValue) {
        return null;
      }
      if (v instanceof StringValue s) {
        return s.getValue();
      }
      if (v instanceof IntValue i) {
        return i.getValue();
      }
      if (v instanceof FloatValue f) {
        return f.getValue();
      }
      if (v instanceof BooleanValue b) {
        return b.isValue();
      }
      if (v instanceof EnumValue e) {
        return e.getName();
      }
      if (v instanceof VariableReference r) {
        return variables.get(r.getName());
      }
      if (v instanceof ArrayValue a) {
        List<Object> list = new ArrayList<>();
        for (Value<?> item : a.getValues()) {
          list.add(literal(item, variables));
        }
        return list;
      }
      if (v instanceof ObjectValue o) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (ObjectField f : o.getObjectFields()) {
          map.put(f.getName(), literal(f.getValue(), variables));
        }
        return map;
      }
      throw new CoercingParseLiteralException("not a JSON value: " + v);
    }
  }
}
